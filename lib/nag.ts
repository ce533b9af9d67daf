import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Records why a cdk-nag finding is accepted on `scope` and everything under it
 * (cdk-nag 3 reads acknowledgements from the construct and its ancestors).
 * Findings with a bracketed part, e.g. `AwsSolutions-IAM5[Resource::...]`, must be named exactly:
 * build that part with `findingResource`.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * A policy resource (an ARN, usually with tokens in it) as cdk-nag names it in a finding:
 * Refs as `<LogicalId>`, attributes as `<LogicalId.Attr>`, joins flattened. So an
 * acknowledgement stays exact whether region and account are literals or pseudo parameters.
 */
export function findingResource(scope: IConstruct, value: string): string {
  const visit = (node: any): string => {
    if (node === undefined) return '';
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    if (node['Fn::Join']) return (node['Fn::Join'][1] as any[]).map(visit).join(node['Fn::Join'][0]);
    if (node['Fn::Sub']) return visit(node['Fn::Sub']);
    if (node['Fn::GetAtt']) return `<${visit(node['Fn::GetAtt'][0])}.${visit(node['Fn::GetAtt'][1])}>`;
    if (node.Ref) return `<${visit(node.Ref)}>`;
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}
