import { Naming } from '../lib/naming';
import { REPLAY_OUTPUT_KEYS, ruleArnOutputKey } from '../lib/outputs';
import { referencedId, resourcesOfType, routing, synthesize, unacknowledgedNagFindings, type Synthesized } from './support';

function archiveOf({ template }: Synthesized) {
  const archives = Object.entries(resourcesOfType(template, 'AWS::Events::Archive'));
  expect(archives).toHaveLength(1);
  const [id, archive] = archives[0];
  return { id, props: archive.Properties };
}

describe('event bus archive (dev)', () => {
  const dev = synthesize('dev');
  const { template } = dev;
  const busId = Object.keys(resourcesOfType(template, 'AWS::Events::EventBus'))[0];

  it('archives the bus, named after the stage, on the AWS owned key', () => {
    const { props } = archiveOf(dev);
    expect(props.SourceArn).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    expect(props.ArchiveName).toBe(new Naming('ecommRs', 'dev').eventArchive());
    expect(props.ArchiveName).toBe('ecommRs-dev-Common-EventBus-Archive');
    // No KmsKeyIdentifier at all: the L2's "" fails in some regions (aws/aws-cdk#37847).
    expect(props).not.toHaveProperty('KmsKeyIdentifier');
  });

  it('holds exactly what the pipe puts on the bus: the routing table source', () => {
    const { props } = archiveOf(dev);
    expect(props.EventPattern).toEqual({ source: [routing.source] });
    const [pipe] = Object.values(resourcesOfType(template, 'AWS::Pipes::Pipe'));
    expect(props.EventPattern.source).toEqual([pipe.Properties.TargetParameters.EventBridgeEventBusParameters.Source]);
  });

  it('keeps events 7 days outside prod', () => {
    expect(dev.config.archiveRetentionDays).toBe(7);
    expect(archiveOf(dev).props.RetentionDays).toBe(7);
  });

  it('outputs the bus ARN, the archive name and ARN, and every worker rule ARN for replays', () => {
    const outputs = template.findOutputs('*');
    const { id: archiveId } = archiveOf(dev);
    expect(outputs[REPLAY_OUTPUT_KEYS.eventBusArn].Value).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    expect(outputs[REPLAY_OUTPUT_KEYS.archiveName].Value).toEqual({ Ref: archiveId });
    expect(outputs[REPLAY_OUTPUT_KEYS.archiveArn].Value).toEqual({ 'Fn::GetAtt': [archiveId, 'Arn'] });

    const rules = resourcesOfType(template, 'AWS::Events::Rule');
    for (const worker of routing.workers) {
      const output = outputs[ruleArnOutputKey(worker)];
      expect(output).toBeDefined();
      const ruleId = referencedId(output.Value)!;
      expect(output.Value).toEqual({ 'Fn::GetAtt': [ruleId, 'Arn'] });
      expect(rules[ruleId].Properties.Description).toMatch(new RegExp(` to ${worker.domain}/${worker.slice}$`));
    }
    expect(Object.keys(outputs).filter((key) => key.endsWith('RuleArn'))).toHaveLength(routing.workers.length);
  });
});

describe('event bus archive retention per stage', () => {
  it('keeps events 30 days on prod, still cdk-nag clean', () => {
    const prod = synthesize('prod');
    expect(archiveOf(prod).props.RetentionDays).toBe(30);
    expect(prod.template.findOutputs(REPLAY_OUTPUT_KEYS.archiveName)[REPLAY_OUTPUT_KEYS.archiveName].Description).toBe(
      'Event bus archive (retention 30 days)',
    );
    expect(unacknowledgedNagFindings(prod.app)).toEqual([]);
  });

  it('follows the archiveRetentionDays context (0 = indefinitely), over ARCHIVE_RETENTION_DAYS', () => {
    const forever = synthesize('prod', { ARCHIVE_RETENTION_DAYS: '90' }, { archiveRetentionDays: '0' });
    expect(forever.config.archiveRetentionDays).toBe(0);
    expect(archiveOf(forever).props.RetentionDays).toBe(0);
    expect(forever.template.findOutputs(REPLAY_OUTPUT_KEYS.archiveName)[REPLAY_OUTPUT_KEYS.archiveName].Description).toBe(
      'Event bus archive (retention indefinite)',
    );
  });

  it('fails synth on a retention that is not a non-negative integer', () => {
    expect(() => synthesize('dev', {}, { archiveRetentionDays: '-1' })).toThrow(/non-negative integer/);
  });
});
