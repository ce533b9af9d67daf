import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Records why a cdk-nag finding is accepted on `scope` and everything under it
 * (cdk-nag 3 reads acknowledgements from the construct and its ancestors).
 * Findings with a bracketed part, e.g. `AwsSolutions-IAM5[Resource::...]`, must be named exactly.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
