import { App, Tags, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readSettings } from './settings.js';
import { PlatformStack } from './stack.js';

export interface BuildOptions extends AppProps {
  /** Run the cdk-nag AwsSolutions pack at synth (default true). */
  nag?: boolean;
}

/** The whole app; bin/app.ts and the template tests both build it here. */
export function buildApp(options: BuildOptions = {}) {
  const { nag = true, ...appProps } = options;
  const app = new App(appProps);
  const settings = readSettings(app);
  const stack = new PlatformStack(app, `AssocPlatform-${settings.stage}`, {
    settings,
    description: `Association platform (${settings.stage})`,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Tags.of(app).add('project', 'assoc-platform');
  Tags.of(app).add('stage', settings.stage);
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, settings };
}
