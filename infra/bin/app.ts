#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildEcommApp } from '../lib/app-builder';
import { resolveDeploymentConfig } from '../lib/config';
import { loadRoutingTable } from '../lib/routing';

// Environment-agnostic on purpose: no `env`, no lookups, so synth needs no AWS credentials.
const app = new App();
const config = resolveDeploymentConfig({ context: (key) => app.node.tryGetContext(key), env: process.env });
buildEcommApp(app, config, loadRoutingTable());
