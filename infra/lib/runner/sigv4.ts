/**
 * SigV4 signing of the runners' HTTP API calls (service `execute-api`): a stage's routes require
 * IAM authorization unless it was deployed with `publicApis`. The AWS SDK's own signer does the
 * work; credentials come from the SDK's default chain (environment, AWS_PROFILE / CDK_PROFILE,
 * SSO, container or instance roles) unless given.
 */
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';

export const EXECUTE_API_SERVICE = 'execute-api';

export type SigningCredentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/** One outgoing request, before signing; header names in lower case. */
export interface OutgoingRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The headers to send for `request`: its own plus X-Amz-Date, X-Amz-Security-Token and Authorization. */
export type SignRequest = (request: OutgoingRequest) => Promise<Record<string, string>>;

export interface SigV4SignerOptions {
  readonly region: string;
  readonly credentials: SigningCredentials;
  /** `execute-api` unless a test signs AWS's test-suite vectors (service `service`). */
  readonly service?: string;
  /** The signing time; now when absent. */
  readonly now?: () => Date;
}

/**
 * A {@link SignRequest} for `region`. The Host header is signed from the URL and left to fetch to
 * send (same value); the body is hashed as sent and no `x-amz-content-sha256` header is added
 * (only S3 wants one), so a signed request carries exactly the headers the CORS configuration
 * allows and the other clients (httpyac, scripts/init-database) send.
 */
export function sigV4Signer(options: SigV4SignerOptions): SignRequest {
  const signer = new SignatureV4({
    service: options.service ?? EXECUTE_API_SERVICE,
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
    applyChecksum: false,
  });
  return async ({ method, url, headers, body }) => {
    const target = new URL(url);
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of target.searchParams) {
      const previous = query[name];
      query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    const signed = await signer.sign(
      {
        method,
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port === '' ? undefined : Number(target.port),
        path: target.pathname,
        query,
        headers: { ...headers, host: target.host },
        body,
      },
      options.now === undefined ? undefined : { signingDate: options.now() },
    );
    const { host: _host, ...toSend } = signed.headers;
    return toSend;
  };
}
