/**
 * Template assertions for the CDK app, and the cdk-nag gate: any AwsSolutions error or
 * warning that is neither fixed nor acknowledged with a reason fails this suite.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App as CdkApp, Validations, type App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { functionNames, routeKey, routes, type FunctionName } from '../../functions/core/api.js';
import { tableSchema } from '../../functions/core/data/table-schema.js';
import { buildApp } from '../../lib/app.js';
import { readSettings } from '../../lib/settings.js';
import { webPages } from '../../lib/constructs/web.js';
import {
  functionAccess,
  jobNames,
  jobs,
  workerNames,
  workers,
  type FunctionAccess,
  type JobName,
  type WorkerName,
} from '../../lib/stack.js';

const context = {
  stage: 'test',
  alarmEmail: 'ops@example.com',
  corsOrigins: 'https://app.example.com,https://admin.example.com',
  mailFrom: 'hello@example.org',
  appUrl: 'https://members.example.org/',
  platformFeePercent: '2.5',
  sesMaxSendRate: 14,
};

/** Every Lambda of the app: the HTTP functions, the scheduled jobs and the event-driven workers. */
type AnyFunction = FunctionName | JobName | WorkerName;
const allFunctions: AnyFunction[] = [...functionNames, ...jobNames, ...workerNames];
const accessOf = (name: AnyFunction): FunctionAccess =>
  name in functionAccess ? functionAccess[name as FunctionName] : name in jobs ? jobs[name as JobName].access : workers[name as WorkerName].access;
const withAccess = (key: keyof FunctionAccess, value?: FunctionAccess[keyof FunctionAccess]) =>
  allFunctions.filter((name) => (value === undefined ? accessOf(name)[key] : accessOf(name)[key] === value)).sort();
/** Functions with routes whose token is optional, checked by the function itself (the web pages' session too). */
const hasViewerRoutes = (name: AnyFunction) => name === 'web' || routes.some((r) => r.fn === name && r.access === 'viewer');

/** An Fn::Join of strings and Refs as one string, e.g. `arn:${AWS::Partition}:ses:...` (GetAtts as `${Id.Attr}`). */
const joined = (value: any): string =>
  typeof value === 'string'
    ? value
    : value['Fn::Join'][1]
        .map((part: any) => (typeof part === 'string' ? part : part.Ref ? `\${${part.Ref}}` : `\${${part['Fn::GetAtt'].join('.')}}`))
        .join('');
/** Region and account of the stack: pseudo parameters, or literals when CDK_DEFAULT_* are set. */
const regionAccount = '(\\$\\{AWS::Region\\}|[a-z0-9-]+):(\\$\\{AWS::AccountId\\}|\\d{12})';
const arnPattern = (service: string, rest: string) =>
  expect.stringMatching(new RegExp(`^arn:\\$\\{AWS::Partition\\}:${service}:${regionAccount}:${rest}$`));
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

type Resource = { Type: string; Properties: any; DeletionPolicy?: string };

describe('template', () => {
  let app: App;
  let template: Template;
  let resources: Record<string, Resource>;

  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const fnId = (name: AnyFunction) => {
    const found = ofType('AWS::Lambda::Function').filter(
      ([, r]) => r.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === name,
    );
    expect(found).toHaveLength(1);
    return found[0]![0];
  };
  const policyStatementsOfRole = (roleId: string) =>
    ofType('AWS::IAM::Policy')
      .filter(([, r]) => r.Properties.Roles.some((ref: any) => ref.Ref === roleId))
      .flatMap(([, r]) => r.Properties.PolicyDocument.Statement as any[]);
  const actionsOf = (statements: any[]) => statements.flatMap((s) => [s.Action].flat() as string[]);
  const roleOf = (name: AnyFunction) => resources[fnId(name)]!.Properties.Role['Fn::GetAtt'][0] as string;
  const secretIds = () => {
    const secrets = ofType('AWS::SecretsManager::Secret');
    const cursor = secrets.filter(([, r]) => r.Properties.Description?.includes('list cursors'));
    const link = secrets.filter(([, r]) => r.Properties.Description?.includes('links in mail'));
    const stripe = secrets.filter(([, r]) => r.Properties.Description?.startsWith('Stripe'));
    expect([cursor.length, link.length, stripe.length, secrets.length]).toEqual([1, 1, 1, 3]);
    return { cursor: cursor[0]![0], link: link[0]![0], stripe: stripe[0]![0] };
  };
  /** The dead-letter queue of an asynchronously invoked function. */
  const dlqOf = (name: AnyFunction) => resources[fnId(name)]!.Properties.DeadLetterConfig.TargetArn['Fn::GetAtt'][0] as string;
  const dailyQueueId = () => dlqOf('jobsDaily');
  const mappingOf = (name: AnyFunction) => {
    const found = ofType('AWS::Lambda::EventSourceMapping').filter(([, r]) => r.Properties.FunctionName.Ref === fnId(name));
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const streamFailuresQueueId = () => mappingOf('streams')[1].Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0] as string;
  const stripeEventFailuresQueueId = () => mappingOf('stripeEvents')[1].Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0] as string;
  const alarmTopicId = () => {
    const found = ofType('AWS::SNS::Topic').filter(([, r]) => r.Properties.DisplayName === 'Association platform alarms');
    expect(found).toHaveLength(1);
    return found[0]![0];
  };
  const notificationsTopicId = () => {
    const found = ofType('AWS::SNS::Topic').filter(([, r]) => r.Properties.DisplayName === 'SES bounces and complaints');
    expect(found).toHaveLength(1);
    return found[0]![0];
  };
  const onlyOf = (type: string) => {
    const found = ofType(type);
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const bucketIds = () => {
    // The web app's asset bucket has a test of its own.
    const buckets = ofType('AWS::S3::Bucket').filter(([id]) => !id.startsWith('WebAssets'));
    const exports = buckets.filter(([, r]) => r.Properties.LoggingConfiguration);
    expect([buckets.length, exports.length]).toEqual([2, 1]);
    return { exports: exports[0]![0], accessLogs: exports[0]![1].Properties.LoggingConfiguration.DestinationBucketName.Ref as string };
  };

  beforeAll(() => {
    let stack: Stack;
    ({ app, stack } = buildApp({ nag: false, context }));
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources;
  });

  test('one table built from tableSchema: on-demand, PITR, deletion protection, TTL, GSIs, stream, retained', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      GlobalSecondaryIndexes: tableSchema.globalSecondaryIndexes.map((gsi) => ({
        IndexName: gsi.indexName,
        KeySchema: [
          { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
          { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    });
  });

  test('user pool: email sign-in, self sign-up, verified email, strong passwords; client without secret', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      DeletionProtection: 'ACTIVE',
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_SRP_AUTH']),
      PreventUserExistenceErrors: 'ENABLED',
    });
  });

  test('functions allow the same CORS origins as the HTTP API, never *', () => {
    for (const name of functionNames) {
      expect({ name, cors: resources[fnId(name)]!.Properties.Environment.Variables.CORS_ORIGINS }).toEqual({ name, cors: 'https://app.example.com,https://admin.example.com' });
    }
  });

  test('user pool mail goes through SES as the configured sender', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: Match.objectLike({
        EmailSendingAccount: 'DEVELOPER',
        From: 'hello@example.org',
        SourceArn: Match.anyValue(),
      }),
    });
    const pool = onlyOf('AWS::Cognito::UserPool')[1];
    expect(joined(pool.Properties.EmailConfiguration.SourceArn)).toEqual(arnPattern('ses', 'identity/example.org'));
  });

  test('HTTP API with CORS preflight for the configured origins', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ['https://app.example.com', 'https://admin.example.com'],
        AllowHeaders: Match.arrayWith(['authorization', 'content-type']),
      }),
    });
  });

  test('JWT authorizer trusts the user pool issuer and the web client as audience', () => {
    const [poolId] = ofType('AWS::Cognito::UserPool')[0]!;
    const [clientId] = ofType('AWS::Cognito::UserPoolClient')[0]!;
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: clientId }],
        Issuer: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [poolId, 'ProviderURL'] }]] },
      },
    });
  });

  test('one route per catalog entry, public and viewer ones without authorizer, each on its function', () => {
    const pageKeys = new Set(webPages.map((p) => `${p.method} ${p.path}`));
    const apiRoutes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties).filter((r) => !pageKeys.has(r.RouteKey));
    expect(apiRoutes).toHaveLength(routes.length);
    expect(apiRoutes.map((r) => r.RouteKey).sort()).toEqual(routes.map(routeKey).sort());

    const [authorizerId] = ofType('AWS::ApiGatewayV2::Authorizer')[0]!;
    for (const spec of routes) {
      const route = apiRoutes.find((r) => r.RouteKey === routeKey(spec))!;
      if (spec.access === 'public' || spec.access === 'viewer') {
        expect({ key: routeKey(spec), auth: route.AuthorizationType, id: route.AuthorizerId }).toEqual({
          key: routeKey(spec),
          auth: 'NONE',
          id: undefined,
        });
      } else {
        expect({ key: routeKey(spec), auth: route.AuthorizationType, id: route.AuthorizerId }).toEqual({
          key: routeKey(spec),
          auth: 'JWT',
          id: { Ref: authorizerId },
        });
      }
      const integrationId = route.Target['Fn::Join'][1][1].Ref;
      const integration = resources[integrationId]!.Properties;
      expect({ key: routeKey(spec), uri: integration.IntegrationUri }).toEqual({
        key: routeKey(spec),
        uri: { 'Fn::GetAtt': [fnId(spec.fn), 'Arn'] },
      });
    }
    expect(routes.find((r) => routeKey(r) === 'GET /openapi.json')?.access).toBe('public');
    expect(apiRoutes.find((r) => r.RouteKey === 'GET /openapi.json')?.AuthorizationType).toBe('NONE');
    expect(apiRoutes.find((r) => r.RouteKey === 'POST /associations')?.AuthorizationType).toBe('JWT');
    // Stripe signs its webhook calls; they carry no Cognito token.
    expect(routes.find((r) => routeKey(r) === 'POST /webhooks/stripe')).toMatchObject({ access: 'public', fn: 'webhooks' });
    expect(apiRoutes.find((r) => r.RouteKey === 'POST /webhooks/stripe')?.AuthorizationType).toBe('NONE');
    // A token is optional on viewer routes (members see more), so API Gateway cannot require one:
    // the function verifies it itself. Attendee routes need one, so they keep the authorizer.
    const viewerRoutes = routes.filter((r) => r.access === 'viewer').map(routeKey);
    expect(viewerRoutes).toEqual(expect.arrayContaining(['GET /events/{eventId}', 'GET /associations/{associationId}/events']));
    for (const key of viewerRoutes) expect({ key, auth: apiRoutes.find((r) => r.RouteKey === key)?.AuthorizationType }).toEqual({ key, auth: 'NONE' });
    expect(routes.find((r) => routeKey(r) === 'PUT /events/{eventId}/rsvp')?.access).toBe('attendee');
    expect(apiRoutes.find((r) => r.RouteKey === 'PUT /events/{eventId}/rsvp')?.AuthorizationType).toBe('JWT');
  });

  test('one Lambda per catalog function plus the scheduled jobs and workers, nothing else', () => {
    template.resourceCountIs('AWS::Lambda::Function', functionNames.length + jobNames.length + workerNames.length);
    expect(new Set(routes.map((r) => r.fn))).toEqual(new Set(functionNames));
    for (const name of allFunctions) fnId(name);
  });

  test('default stage: auto-deploy, JSON access log without bodies, throttling', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    const [, stage] = ofType('AWS::ApiGatewayV2::Stage')[0]!;
    const props = stage.Properties;
    expect(props.StageName).toBe('$default');
    expect(props.AutoDeploy).toBe(true);
    expect(props.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });

    const logGroupId = props.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(resources[logGroupId]!.Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroupId]!.Properties.RetentionInDays).toBeGreaterThan(0);

    const format = JSON.parse(props.AccessLogSettings.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
      latency: '$context.responseLatency',
    });
    expect(props.AccessLogSettings.Format).not.toMatch(/body|authorization|querystring/i);
  });

  test.each(functionNames)('function %s: nodejs24.x on arm64, 1024 MB, 10 s, JSON logs to its own retained log group', (name) => {
    const fn = resources[fnId(name)]!.Properties;
    expect(fn).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 10,
      Handler: 'index.handler',
      LoggingConfig: { LogFormat: 'JSON' },
    });
    const logGroup = resources[fn.LoggingConfig.LogGroup.Ref]!;
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBe(30);

    const env = fn.Environment.Variables;
    expect(env).toMatchObject({
      POWERTOOLS_SERVICE_NAME: name,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      MAIL_FROM: 'hello@example.org',
      CORS_ORIGINS: 'https://app.example.com,https://admin.example.com',
      // The trailing slash of the context value is dropped: the code appends paths.
      APP_URL: 'https://members.example.org',
    });
    // Nothing asynchronous about the API functions.
    expect(fn.DeadLetterConfig).toBeUndefined();
  });

  test('job jobsDaily: same runtime and logs as the API functions, 5 minutes, no CORS, failures to the dead-letter queue', () => {
    const fn = resources[fnId('jobsDaily')]!.Properties;
    expect(fn).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 300,
      Handler: 'index.handler',
      LoggingConfig: { LogFormat: 'JSON' },
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [dailyQueueId(), 'Arn'] } },
    });
    expect(resources[fn.LoggingConfig.LogGroup.Ref]!.Properties.RetentionInDays).toBe(30);
    expect(fn.Environment.Variables).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'jobsDaily',
      MAIL_FROM: 'hello@example.org',
      APP_URL: 'https://members.example.org',
    });
    expect(fn.Environment.Variables).not.toHaveProperty('CORS_ORIGINS');
    // Lambda's own retries of a failed scheduled run, before it goes to the dead-letter queue.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId('jobsDaily') },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
    });
  });

  test.each(workerNames)('worker %s: same runtime, bundling and logs as the others, its own timeout, no CORS', (name) => {
    const fn = resources[fnId(name)]!.Properties;
    expect(fn).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: workers[name].timeout.toSeconds(),
      Handler: 'index.handler',
      LoggingConfig: { LogFormat: 'JSON' },
    });
    expect(resources[fn.LoggingConfig.LogGroup.Ref]!.Properties.RetentionInDays).toBe(30);
    expect(fn.Environment.Variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: name, MAIL_FROM: 'hello@example.org', APP_URL: 'https://members.example.org' });
    expect(fn.Environment.Variables).not.toHaveProperty('CORS_ORIGINS');
  });

  test('asynchronously invoked functions (schedules, SNS, the export job): two Lambda retries within 6 hours, then their dead-letter queue', () => {
    const invokeConfigs = ofType('AWS::Lambda::EventInvokeConfig').map(([, r]) => r.Properties);
    const asynchronous = ['jobsDaily', 'jobsScheduled', 'sesEvents', 'exportJob'] as const;
    expect(invokeConfigs.map((c) => c.FunctionName.Ref).sort()).toEqual(asynchronous.map(fnId).sort());
    for (const name of asynchronous) {
      expect(invokeConfigs.find((c) => c.FunctionName.Ref === fnId(name))).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 6 * 3600 });
      // Each its own queue: encrypted, TLS only, kept 14 days; its role may send there and nowhere else.
      const queueId = dlqOf(name);
      expect(resources[queueId]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
      expect(policyStatementsOfRole(roleOf(name)).filter((s) => actionsOf([s]).some((a) => a.startsWith('sqs:')))).toEqual([
        expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } }),
      ]);
    }
    expect(new Set(asynchronous.map(dlqOf)).size).toBe(4);
    // The export job's heap settings, as bench/export.ts measured them (lib/bundling.ts).
    expect(resources[fnId('exportJob')]!.Properties.Environment.Variables.NODE_OPTIONS).toBe('--max-semi-space-size=4');
    // The stream consumers are invoked synchronously by their event source mappings: no asynchronous settings.
    for (const name of ['streams', 'stripeEvents'] as const) expect(resources[fnId(name)]!.Properties.DeadLetterConfig).toBeUndefined();
    for (const [, queue] of ofType('AWS::SQS::QueuePolicy')) {
      expect(queue.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  test.each(allFunctions)('function %s: TABLE_NAME, the cursor and link secret ARNs and the Stripe settings exactly as functionAccess says; no key in the configuration', (name) => {
    const env = resources[fnId(name)]!.Properties.Environment.Variables;
    const access = accessOf(name);
    const [tableId] = ofType('AWS::DynamoDB::Table')[0]!;
    const secrets = secretIds();
    const present = (key: string) => Object.prototype.hasOwnProperty.call(env, key);

    expect({ name, table: present('TABLE_NAME'), cursorSecret: present('CURSOR_SECRET_ARN'), linkSecret: present('LINK_SECRET_ARN'), stripe: present('STRIPE_SECRET_ARN') }).toEqual({
      name,
      table: access.table,
      cursorSecret: access.cursorSecret,
      linkSecret: access.linkSecret,
      stripe: access.stripe,
    });
    if (access.table) expect(env.TABLE_NAME).toEqual({ Ref: tableId });
    // Only ARNs: the keys are read with GetSecretValue, never resolved into the configuration.
    if (access.cursorSecret) expect(env.CURSOR_SECRET_ARN).toEqual({ Ref: secrets.cursor });
    if (access.linkSecret) expect(env.LINK_SECRET_ARN).toEqual({ Ref: secrets.link });
    expect(env).not.toHaveProperty('CURSOR_SECRET');
    expect(env).not.toHaveProperty('LINK_SECRET');
    expect(JSON.stringify(env)).not.toContain('resolve:secretsmanager');
    if (access.stripe) {
      // Only the ARN: the keys are read with GetSecretValue at cold start, never put in the configuration.
      expect(env).toMatchObject({ STRIPE_SECRET_ARN: { Ref: secrets.stripe }, PLATFORM_FEE_PERCENT: '2.5', SES_MAX_SEND_RATE: '14' });
    } else {
      expect(env).not.toHaveProperty('PLATFORM_FEE_PERCENT');
      expect(env).not.toHaveProperty('SES_MAX_SEND_RATE');
    }
    expect(JSON.stringify(env)).not.toMatch(/sk_(live|test)_|whsec_/);
  });

  test.each(allFunctions)('function %s: API_URL, JWT_*, SCHEDULE_*, EXPORTS_BUCKET and SES_CONFIGURATION_SET exactly as its access says', (name) => {
    const env = resources[fnId(name)]!.Properties.Environment.Variables;
    const access = accessOf(name);
    const present = (key: string) => Object.prototype.hasOwnProperty.call(env, key);
    const [apiId] = onlyOf('AWS::ApiGatewayV2::Api');
    const [poolId] = onlyOf('AWS::Cognito::UserPool');
    const [clientId] = onlyOf('AWS::Cognito::UserPoolClient');
    const [groupId, group] = onlyOf('AWS::Scheduler::ScheduleGroup');
    const [configSetId] = onlyOf('AWS::SES::ConfigurationSet');
    const [schedulerRoleId] = ofType('AWS::IAM::Role').filter(([, r]) => r.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'scheduler.amazonaws.com')[0]!;

    expect({
      name,
      apiUrl: present('API_URL'),
      jwt: [present('JWT_ISSUER'), present('JWT_AUDIENCE')],
      scheduler: ['SCHEDULE_GROUP', 'SCHEDULE_TARGET_ARN', 'SCHEDULE_ROLE_ARN'].map(present),
      exports: present('EXPORTS_BUCKET'),
      ses: present('SES_CONFIGURATION_SET'),
    }).toEqual({
      name,
      apiUrl: access.apiUrl,
      jwt: [access.jwt, access.jwt],
      scheduler: Array(3).fill(access.scheduler !== false),
      exports: access.exports !== false,
      ses: access.ses,
    });
    // The API's own endpoint (no trailing slash): a reference to the API, not to its stage, which depends on the functions.
    if (access.apiUrl) expect(env.API_URL).toEqual({ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] });
    // What the JWT authorizer checks: https://cognito-idp.<region>.amazonaws.com/<pool id>, and the web client.
    if (access.jwt) {
      expect(env.JWT_ISSUER).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [poolId, 'ProviderURL'] }]] });
      expect(env.JWT_AUDIENCE).toEqual({ Ref: clientId });
    }
    if (access.scheduler) {
      expect(env.SCHEDULE_GROUP).toBe(group.Properties.Name);
      expect(group.Properties.Name).toBeDefined();
      expect(groupId).toBeDefined();
      // Built from the scheduled job's fixed name: it reads the variable too and cannot reference its own ARN.
      expect(joined(env.SCHEDULE_TARGET_ARN)).toEqual(arnPattern('lambda', 'function:AssocPlatform-test-jobsScheduled'));
      expect(env.SCHEDULE_ROLE_ARN).toEqual({ 'Fn::GetAtt': [schedulerRoleId, 'Arn'] });
    }
    if (access.exports) expect(env.EXPORTS_BUCKET).toEqual({ Ref: bucketIds().exports });
    if (access.ses) expect(env.SES_CONFIGURATION_SET).toEqual({ Ref: configSetId });
  });

  test.each(allFunctions)('function %s: the bundle uses the table, cursors, Stripe, SES, schedules, exports and tokens exactly when the stack grants them', (name) => {
    // Catches drift between lib/stack.ts (functionAccess, jobs, workers) and what the handler code requires.
    // esbuild drops unused code, so a bundle names STRIPE_SECRET_ARN only if it awaits the
    // Stripe settings. It sends mail if it builds a SendEmail request (`new SendEmailCommand({FromEmailAddress:`
    // in the outbox, minified): the SendEmailCommand class name alone is not enough, since a dynamic
    // import() makes esbuild keep the whole SES client, every command included.
    // A bundle names SCHEDULE_GROUP if it builds the events' scheduler and EXPORTS_BUCKET if it builds
    // the export files (functions/core/deps.ts); it manages schedules only if it keeps the code that calls
    // `scheduler.upsert`/`remove`, and writes files only if it keeps `files.put` (minification
    // keeps property names). Every HTTP bundle has the optional-token check of the router, but
    // only a function with 'viewer' routes runs it.
    const fn = resources[fnId(name)]!.Properties;
    const hash = String(fn.Code.S3Key).replace(/\.zip$/, '');
    const bundleDir = path.join(app.outdir, `asset.${hash}`);
    const code = fs
      .readdirSync(bundleDir)
      .filter((f) => /\.m?js$/.test(f))
      .map((f) => fs.readFileSync(path.join(bundleDir, f), 'utf8'))
      .join('\n');
    const reads = (text: string) => code.includes(text);
    const used: FunctionAccess = {
      table: reads('TABLE_NAME'),
      cursorSecret: reads('CURSOR_SECRET'),
      linkSecret: reads('LINK_SECRET_ARN'),
      stripe: reads('STRIPE_SECRET_ARN'),
      ses: reads('SendEmailCommand') && /new [\w$]+\(\{FromEmailAddress:/.test(code),
      apiUrl: reads('API_URL'),
      jwt: reads('JWT_ISSUER') && reads('JWT_AUDIENCE') && hasViewerRoutes(name),
      scheduler: !reads('SCHEDULE_GROUP') ? false : /\.scheduler\.(upsert|remove)\(/.test(code) ? 'manage' : 'settings',
      exports: !reads('EXPORTS_BUCKET') ? false : /\.files\.(put|upload)\(/.test(code) ? 'readWrite' : 'settings',
    };
    expect({ name, ...used }).toEqual({ name, ...accessOf(name) });
    // And no variable is set that the code never reads (Powertools reads its own).
    // NODE_OPTIONS is read by node itself (the export job's heap settings).
    const unread = Object.keys(fn.Environment.Variables).filter((key) => !key.startsWith('POWERTOOLS_') && key !== 'NODE_OPTIONS' && !code.includes(key));
    expect({ name, unread }).toEqual({ name, unread: [] });
  });

  test('who may manage schedules, write export files and verify tokens, by name: a change here is a change of privileges', () => {
    // web: the organizer's event page cancels events and downloads attendee exports (functions/web/manage-event-routes.ts).
    expect(withAccess('scheduler', 'manage')).toEqual(['events', 'web']);
    // Only the functions that schedule are handed a scheduler (functions/core/deps.ts), so none has the settings alone.
    expect(withAccess('scheduler', 'settings')).toEqual([]);
    // exportJob: writes the long exports the others hand it (the web pages' too: they write no file themselves).
    expect(withAccess('exports', 'readWrite')).toEqual(['dues', 'events', 'exportJob', 'members']);
    expect(withAccess('exports', 'settings')).toEqual([]);
    expect(withAccess('jwt')).toEqual(allFunctions.filter(hasViewerRoutes).sort());
    expect(withAccess('jwt')).toEqual(['events', 'web']);
  });

  test('starting the export job: lambda:InvokeFunction on its unqualified ARN only, for the streams consumer alone (requests only write the job item)', () => {
    for (const name of allFunctions) {
      const invoke = policyStatementsOfRole(roleOf(name)).filter((s) => actionsOf([s]).some((a) => a.startsWith('lambda:')));
      const env = resources[fnId(name)]!.Properties.Environment.Variables;
      if (name !== 'streams') {
        expect({ name, invoke, env: env.EXPORT_JOB_FUNCTION }).toEqual({ name, invoke: [], env: undefined });
        continue;
      }
      expect(invoke).toEqual([{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [fnId('exportJob'), 'Arn'] } }]);
      expect(env.EXPORT_JOB_FUNCTION).toEqual({ Ref: fnId('exportJob') });
    }
  });

  test('least privilege: no managed policies; only table functions get DynamoDB, scoped to the table', () => {
    for (const [, role] of ofType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const [tableId] = ofType('AWS::DynamoDB::Table')[0]!;
    // Reading the change stream is the stream consumer's alone (tested below).
    const streamActions = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];
    const onStream = (s: any) => JSON.stringify(s.Resource).includes('StreamArn') || JSON.stringify(s.Resource).includes('/stream/*');
    for (const name of allFunctions) {
      const roleId = roleOf(name);
      const statements = policyStatementsOfRole(roleId);
      const dynamo = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('dynamodb:')) && !onStream(s));
      if (name !== 'streams' && name !== 'stripeEvents') expect({ name, stream: statements.filter(onStream) }).toEqual({ name, stream: [] });
      else for (const s of statements.filter(onStream)) for (const a of actionsOf([s])) expect(streamActions).toContain(a);
      if (!accessOf(name).table) {
        expect({ name, actions: actionsOf(statements).filter((a) => a.startsWith('dynamodb:')) }).toEqual({ name, actions: [] });
      } else {
        expect(dynamo.length).toBeGreaterThan(0);
        for (const s of dynamo) {
          expect(s.Resource).toEqual([
            { 'Fn::GetAtt': [tableId, 'Arn'] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/*']] },
          ]);
        }
      }
      // Logs only to its own group.
      const logGroupId = resources[fnId(name)]!.Properties.LoggingConfig.LogGroup.Ref;
      const logs = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('logs:')));
      expect(logs).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } })]);
    }
    // meta, explicitly: nothing from DynamoDB.
    const metaRole = roleOf('meta');
    expect(actionsOf(policyStatementsOfRole(metaRole)).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
  });

  test('least privilege: each function reads exactly the secrets its access names (Stripe, cursor key, link key), and nothing else of Secrets Manager', () => {
    expect(withAccess('stripe')).toEqual(['dues', 'jobsDaily', 'members', 'stripeEvents', 'web', 'webhooks']);
    // connections reads the follow-up links; the daily job signs them in the follow-up mail after events.
    expect(withAccess('linkSecret')).toEqual(['connections', 'email', 'events', 'jobsDaily', 'jobsScheduled', 'matching', 'streams', 'web']);
    const ids = secretIds();
    for (const name of allFunctions) {
      const access = accessOf(name);
      const secretStatements = policyStatementsOfRole(roleOf(name)).filter((s) => actionsOf([s]).some((a) => a.startsWith('secretsmanager:')));
      for (const s of secretStatements) expect(actionsOf([s]).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
      const readable = secretStatements.map((s) => s.Resource.Ref as string).sort();
      const expected = [access.stripe && ids.stripe, access.cursorSecret && ids.cursor, access.linkSecret && ids.link].filter((x): x is string => !!x).sort();
      expect({ name, readable }).toEqual({ name, readable: expected });
    }
  });

  test('link secret: generated JSON {kid, key} with a 48-character key; the cursor key is a different secret', () => {
    const { link, cursor } = secretIds();
    expect(link).not.toBe(cursor);
    expect(resources[link]!.Properties.GenerateSecretString).toEqual({
      SecretStringTemplate: JSON.stringify({ kid: 'k1' }),
      GenerateStringKey: 'key',
      PasswordLength: 48,
      ExcludePunctuation: true,
    });
  });

  test('least privilege: only the outbox sender (streams) may send, only as the mailFrom address or its domain, through the configuration set', () => {
    // Every other function queues its mail in the outbox (the daily job marks unsent mail for retry), and streams sends it.
    expect(withAccess('ses')).toEqual(['streams']);
    const [configSetId] = onlyOf('AWS::SES::ConfigurationSet');
    const senders: string[] = [];
    for (const name of allFunctions) {
      const ses = policyStatementsOfRole(roleOf(name)).filter((s) => actionsOf([s]).some((a) => a.startsWith('ses:')));
      if (ses.length === 0) continue;
      senders.push(name);
      expect(ses).toHaveLength(1);
      expect(actionsOf(ses).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
      // Region and account are the stack's: pseudo parameters, or literals when CDK_DEFAULT_* are set.
      const identity = (name: string) => arnPattern('ses', `identity/${escape(name)}`);
      expect(ses[0].Resource.map(joined)).toEqual([
        identity('example.org'),
        identity('hello@example.org'),
        arnPattern('ses', `configuration-set/\\$\\{${configSetId}\\}`),
      ]);
    }
    expect(senders.sort()).toEqual(withAccess('ses'));
    // Nowhere a wildcard action or resource.
    for (const [, policy] of ofType('AWS::IAM::Policy')) {
      for (const s of policy.Properties.PolicyDocument.Statement) {
        for (const action of actionsOf([s])) expect(action).not.toMatch(/\*/);
        for (const resource of [s.Resource].flat()) {
          if (typeof resource === 'string') expect(resource).not.toMatch(/\*/);
        }
      }
    }
  });

  test('cursor secret: generated, 48 characters, no punctuation', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 3);
    const secret = resources[secretIds().cursor]!.Properties;
    expect(secret.GenerateSecretString).toMatchObject({ PasswordLength: 48, ExcludePunctuation: true });
    expect(secret.SecretString).toBeUndefined();
  });

  test('Stripe secret: created with an empty placeholder, the operator puts the keys in', () => {
    const secret = resources[secretIds().stripe]!.Properties;
    expect(JSON.parse(secret.SecretString)).toEqual({ secretKey: '', webhookSecret: '' });
    expect(secret.GenerateSecretString).toBeUndefined();
  });

  test('daily job: EventBridge rule at 03:00 UTC invokes jobsDaily, with retries and a dead-letter queue', () => {
    const queueId = dailyQueueId();
    const rules = ofType('AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    const [ruleId, rule] = rules[0]!;
    expect(jobs.jobsDaily.schedule).toBe('cron(0 3 * * ? *)');
    expect(rule.Properties).toMatchObject({ ScheduleExpression: 'cron(0 3 * * ? *)', State: 'ENABLED' });
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [fnId('jobsDaily'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 6 * 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      }),
    ]);
    // Only this rule may invoke the job.
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fnId('jobsDaily'), 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });

    // The queue: encrypted, TLS only, kept 14 days; EventBridge may write to it for this rule only.
    expect(resources[queueId]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
    const [, queuePolicy] = ofType('AWS::SQS::QueuePolicy').find(([, r]) => r.Properties.Queues[0].Ref === queueId)!;
    expect(queuePolicy.Properties.Queues).toEqual([{ Ref: queueId }]);
    expect(queuePolicy.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Principal: { Service: 'events.amazonaws.com' },
          Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
        }),
      ]),
    );
    // The job's role may put its own failed runs there, and no other role may.
    const senders = allFunctions.filter((name) => JSON.stringify(policyStatementsOfRole(roleOf(name))).includes(`"${queueId}"`));
    expect(senders).toEqual(['jobsDaily']);
    expect(policyStatementsOfRole(roleOf('jobsDaily'))).toContainEqual(
      expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } }),
    );
  });

  test('one-time schedules: a group, a role only EventBridge Scheduler of this group may assume, allowed to invoke jobsScheduled only', () => {
    const [groupId, group] = onlyOf('AWS::Scheduler::ScheduleGroup');
    // Deleting the group deletes its schedules; their target goes with the stack anyway.
    expect(group.DeletionPolicy).toBe('Delete');
    const schedulerRoles = ofType('AWS::IAM::Role').filter(([, r]) =>
      r.Properties.AssumeRolePolicyDocument.Statement.some((s: any) => s.Principal?.Service === 'scheduler.amazonaws.com'),
    );
    expect(schedulerRoles).toHaveLength(1);
    const [roleId, role] = schedulerRoles[0]!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': expect.anything() },
          ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [groupId, 'Arn'] } },
        },
      },
    ]);
    // Invoke the scheduled-jobs function, unqualified, and nothing else.
    expect(policyStatementsOfRole(roleId)).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [fnId('jobsScheduled'), 'Arn'] } },
    ]);
    // The fixed name the schedules target (SCHEDULE_TARGET_ARN) is the function's.
    expect(resources[fnId('jobsScheduled')]!.Properties.FunctionName).toBe('AssocPlatform-test-jobsScheduled');
    expect(ofType('AWS::Lambda::Permission').filter(([, r]) => r.Properties.Principal === 'scheduler.amazonaws.com')).toEqual([]);

    // Only events manages schedules: in this group only, passing this role only to Scheduler.
    for (const name of allFunctions) {
      const statements = policyStatementsOfRole(roleOf(name));
      const scheduling = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('scheduler:') || a === 'iam:PassRole'));
      if (accessOf(name).scheduler !== 'manage') {
        expect({ name, scheduling }).toEqual({ name, scheduling: [] });
        continue;
      }
      expect(scheduling).toHaveLength(2);
      const [manage, pass] = scheduling;
      expect(actionsOf([manage]).sort()).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:UpdateSchedule']);
      expect(joined(manage.Resource)).toEqual(arnPattern('scheduler', `schedule/${escape(group.Properties.Name)}/\\*`));
      expect(pass).toEqual({
        Action: 'iam:PassRole',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [roleId, 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      });
    }
  });

  test('exports bucket: private, TLS only, SSE-S3, files expire after a day, access logged, retained; only the functions that export read and write it', () => {
    const { exports, accessLogs } = bucketIds();
    const bucket = resources[exports]!;
    const privateBucket = { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true };
    const sseS3 = { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] };
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: privateBucket,
      BucketEncryption: sseS3,
      LifecycleConfiguration: { Rules: [{ Status: 'Enabled', ExpirationInDays: 1, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: accessLogs }, LogFilePrefix: 'exports/' },
    });
    expect(resources[accessLogs]!.Properties).toMatchObject({
      PublicAccessBlockConfiguration: privateBucket,
      BucketEncryption: sseS3,
      LifecycleConfiguration: { Rules: [{ Status: 'Enabled', ExpirationInDays: 90 }] },
    });
    for (const id of [exports, accessLogs]) {
      expect(resources[id]!.DeletionPolicy).toBe('Retain');
      const [, policy] = ofType('AWS::S3::BucketPolicy').find(([, r]) => r.Properties.Bucket.Ref === id)!;
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
    // Access logs are delivered under the bucket policy (no ACLs), from the exports bucket only.
    expect(resources[accessLogs]!.Properties.AccessControl).toBeUndefined();
    const [, logsPolicy] = ofType('AWS::S3::BucketPolicy').find(([, r]) => r.Properties.Bucket.Ref === accessLogs)!;
    expect(logsPolicy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Condition: expect.objectContaining({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [exports, 'Arn'] } } }),
      }),
    );
    // No custom resource that could empty it.
    expect(ofType('Custom::S3AutoDeleteObjects')).toEqual([]);

    for (const name of allFunctions) {
      const s3 = policyStatementsOfRole(roleOf(name)).filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:')));
      if (accessOf(name).exports !== 'readWrite') {
        expect({ name, s3 }).toEqual({ name, s3: [] });
        continue;
      }
      expect(s3).toEqual([
        {
          Action: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [exports, 'Arn'] }, '/*']] },
        },
      ]);
    }
  });

  test('stream consumer: from the start of the stream, 25 records, bisect, per-record failures, 10 retries, a day, failures to an encrypted queue, filtered', () => {
    const [tableId] = onlyOf('AWS::DynamoDB::Table');
    const [, mapping] = mappingOf('streams');
    // Two readers of the stream: DynamoDB Streams throttles a shard read by more.
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    const queueId = streamFailuresQueueId();
    expect(mapping.Properties).toEqual({
      FunctionName: { Ref: fnId('streams') },
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 25,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 86400,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
      FilterCriteria: { Filters: expect.any(Array) },
      Tags: expect.any(Array),
    });
    // New outbox mail, broadcasts and export jobs, changed events, outbox mail the sweep marked for
    // retry, and every change of what the counters count (a removal by its old image) reach the function.
    const patterns = mapping.Properties.FilterCriteria.Filters.map((f: any) => JSON.parse(f.Pattern));
    const counted = ['member', 'payment', 'rsvp', 'match'];
    expect(patterns).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['outbox', 'broadcast', 'exportJob', ...counted] } } } },
      { eventName: ['MODIFY'], dynamodb: { NewImage: { entity: { S: ['event', ...counted] } } } },
      { eventName: ['MODIFY'], dynamodb: { NewImage: { entity: { S: ['outbox'] }, retry: { N: [{ exists: true }] } } } },
      { eventName: ['REMOVE'], dynamodb: { OldImage: { entity: { S: counted } } } },
    ]);
    // At most five filters on one mapping (Lambda's default quota).
    expect(patterns.length).toBeLessThanOrEqual(5);
    expect(resources[queueId]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });

    // Its role reads this table's stream and writes to its failure queue; no other role may do either.
    const streamStatements = policyStatementsOfRole(roleOf('streams')).filter(
      (s) => actionsOf([s]).some((a) => ['dynamodb:DescribeStream', 'dynamodb:ListStreams'].includes(a)),
    );
    expect(streamStatements).toEqual([
      {
        Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      },
      {
        Action: 'dynamodb:ListStreams',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/stream/*']] },
      },
    ]);
    const writers = allFunctions.filter((name) => JSON.stringify(policyStatementsOfRole(roleOf(name))).includes(`"${queueId}"`));
    expect(writers).toEqual(['streams']);
    // The mapping is created after the role may read the stream (the function depends on its policy).
    const streamsFn = resources[fnId('streams')] as Resource & { DependsOn: string[] };
    expect(streamsFn.DependsOn.some((id) => resources[id]!.Type === 'AWS::IAM::Policy')).toBe(true);
  });

  test('SES: a configuration set publishing bounces and complaints to an encrypted, TLS-only topic that sesEvents subscribes to', () => {
    const [configSetId, configSet] = onlyOf('AWS::SES::ConfigurationSet');
    expect(configSet.Properties).toMatchObject({ ReputationOptions: { ReputationMetricsEnabled: true } });
    const topicId = notificationsTopicId();
    const [, destination] = onlyOf('AWS::SES::ConfigurationSetEventDestination');
    expect(destination.Properties).toEqual({
      ConfigurationSetName: { Ref: configSetId },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint'],
        SnsDestination: { TopicARN: { Ref: topicId } },
      },
    });

    // Encrypted with a rotated customer managed key, which SES may use; publishing only over TLS,
    // and only by SES for this configuration set.
    const [keyId, key] = onlyOf('AWS::KMS::Key');
    expect(resources[topicId]!.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toContainEqual({
      Effect: 'Allow',
      Principal: { Service: 'ses.amazonaws.com' },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Resource: '*',
    });
    const [, topicPolicy] = ofType('AWS::SNS::TopicPolicy').find(([, r]) => r.Properties.Topics[0].Ref === topicId)!;
    const statements = topicPolicy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    const sesPublish = statements.find((s: any) => s.Principal?.Service === 'ses.amazonaws.com');
    expect(sesPublish).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topicId } });
    expect(joined(sesPublish.Condition.StringEquals['AWS:SourceArn'])).toEqual(arnPattern('ses', `configuration-set/\\$\\{${configSetId}\\}`));

    // sesEvents is the only subscriber; what SNS cannot deliver goes to its dead-letter queue.
    const subscriptions = ofType('AWS::SNS::Subscription').filter(([, r]) => r.Properties.TopicArn.Ref === topicId);
    expect(subscriptions.map(([, r]) => r.Properties)).toEqual([
      {
        Protocol: 'lambda',
        TopicArn: { Ref: topicId },
        Endpoint: { 'Fn::GetAtt': [fnId('sesEvents'), 'Arn'] },
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqOf('sesEvents'), 'Arn'] } },
      },
    ]);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fnId('sesEvents'), 'Arn'] },
      Principal: 'sns.amazonaws.com',
      SourceArn: { Ref: topicId },
    });
    const [, queuePolicy] = ofType('AWS::SQS::QueuePolicy').find(([, r]) => r.Properties.Queues[0].Ref === dlqOf('sesEvents'))!;
    expect(queuePolicy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Principal: { Service: 'sns.amazonaws.com' },
        Condition: { ArnEquals: { 'aws:SourceArn': { Ref: topicId } } },
      }),
    );
  });

  test('no circular dependency between resources (CloudFormation refuses the template otherwise)', () => {
    const edges = (value: any, out: Set<string>): Set<string> => {
      if (Array.isArray(value)) value.forEach((v) => edges(v, out));
      else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          if (k === 'Ref' && typeof v === 'string' && resources[v]) out.add(v);
          else if (k === 'Fn::GetAtt') out.add((v as string[])[0]!);
          else edges(v, out);
        }
      }
      return out;
    };
    const graph = new Map(
      Object.entries(resources).map(([id, r]) => [id, [...edges(r.Properties ?? {}, new Set()), ...[(r as any).DependsOn ?? []].flat()]]),
    );
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[][] = [];
    const visit = (id: string, path: string[]) => {
      state.set(id, 'visiting');
      for (const next of graph.get(id) ?? []) {
        if (state.get(next) === 'visiting') cycles.push([...path, next]);
        else if (!state.has(next)) visit(next, [...path, next]);
      }
      state.set(id, 'done');
    };
    for (const id of graph.keys()) if (!state.has(id)) visit(id, [id]);
    expect(cycles).toEqual([]);
  });

  test('Stripe events consumer: its own mapping on the same stream, only new records keyed STRIPEQ#, per-record failures, bounded retries, failures to its own queue', () => {
    const [tableId] = onlyOf('AWS::DynamoDB::Table');
    const [, mapping] = mappingOf('stripeEvents');
    const queueId = stripeEventFailuresQueueId();
    expect(mapping.Properties).toMatchObject({
      FunctionName: { Ref: fnId('stripeEvents') },
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    expect(mapping.Properties.FilterCriteria.Filters.map((f: any) => JSON.parse(f.Pattern))).toEqual([{ eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'STRIPEQ#' }] } } } }]);
    expect(queueId).not.toBe(streamFailuresQueueId());
    // The outbox consumer's filters name other entities only: a queued Stripe event never reaches it (nor waits behind its backlog).
    const outboxPatterns = JSON.stringify(mappingOf('streams')[1].Properties.FilterCriteria.Filters.map((f: any) => JSON.parse(f.Pattern)));
    expect(outboxPatterns).toContain('"entity"');
    expect(outboxPatterns).not.toMatch(/stripe|STRIPEQ/i);
  });

  test('alarms on API 5xx, each function errors and throttles, the dead-letter queues, stream lag and table throttling, all to the SNS topic', () => {
    const topicId = alarmTopicId();
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topicId },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });

    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    // The queues where something given up on lands: four dead-letter queues, the stream's on-failure destination and the Stripe consumer's.
    const failureQueues = [dailyQueueId(), dlqOf('jobsScheduled'), dlqOf('sesEvents'), dlqOf('exportJob'), streamFailuresQueueId(), stripeEventFailuresQueueId()];
    expect(new Set([...failureQueues, ...ofType('AWS::SQS::Queue').map(([id]) => id)]).size).toBe(6);
    // API 5xx, Errors and Throttles of every function (HTTP, jobs, workers), the failure queues, stream lag, the table.
    // Stream lag: one alarm per stream consumer (outbox and Stripe events).
    expect(alarms).toHaveLength(1 + 2 * allFunctions.length + failureQueues.length + 2 + 1);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
    }
    const [apiId] = ofType('AWS::ApiGatewayV2::Api')[0]!;
    expect(alarms).toContainEqual(
      expect.objectContaining({ Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: { Ref: apiId } }] }),
    );
    for (const name of allFunctions) {
      for (const metric of ['Errors', 'Throttles']) {
        expect(alarms).toContainEqual(
          expect.objectContaining({
            Namespace: 'AWS/Lambda',
            MetricName: metric,
            Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId(name) } }],
          }),
        );
      }
    }
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId('jobsDaily') } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
    // One message in a failure queue is one run, notification or stream record given up on.
    for (const queueId of failureQueues) {
      expect(alarms).toContainEqual(
        expect.objectContaining({
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
          Statistic: 'Maximum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        }),
      );
    }
    // The stream consumer 5 minutes behind: outbox mail and waitlist promotions are late.
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/Lambda',
        MetricName: 'IteratorAge',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId('streams') } }],
        Statistic: 'Maximum',
        Threshold: 5 * 60 * 1000,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
    const tableAlarm = alarms.find((a) => a.Metrics?.some((m: any) => m.MetricStat?.Metric?.MetricName === 'ThrottledRequests'));
    expect(tableAlarm).toBeDefined();
  });

  test('web app: one CloudFront origin for assets (S3 with OAC), the API under /api/* and the pages, with security headers and a WAF rate rule', () => {
    const [, dist] = onlyOf('AWS::CloudFront::Distribution');
    const cfg = dist.Properties.DistributionConfig;
    // Pages: every path not otherwise matched goes to the HTTP API's page routes, uncached, HTTPS only.
    expect(cfg.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: expect.arrayContaining(['POST']) });
    const byPath = Object.fromEntries(cfg.CacheBehaviors.map((b: any) => [b.PathPattern, b]));
    expect(Object.keys(byPath).sort()).toEqual(['/api/*', '/assets/*']);
    expect(byPath['/api/*'].FunctionAssociations).toEqual([expect.objectContaining({ EventType: 'viewer-request' })]);
    // Static assets from the private bucket through origin access control only.
    const [oacId] = onlyOf('AWS::CloudFront::OriginAccessControl');
    const s3Origin = cfg.Origins.find((o: any) => o.S3OriginConfig);
    expect(s3Origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    const [bucketId, bucket] = ofType('AWS::S3::Bucket').find(([id]) => id.startsWith('WebAssets'))!;
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(s3Origin.DomainName).toEqual({ 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] });
    // Security headers: HSTS, no framing, and a CSP whose scripts are never inline.
    const [, policy] = onlyOf('AWS::CloudFront::ResponseHeadersPolicy');
    const sec = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(sec.StrictTransportSecurity).toMatchObject({ IncludeSubdomains: true, Override: true });
    expect(sec.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(31_536_000);
    expect(sec.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
    const csp: string = sec.ContentSecurityPolicy.ContentSecurityPolicy;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(/script-src ([^;]*)/.exec(csp)![1]).not.toContain('unsafe-inline');
    // WAF: a per-IP rate-based rule that blocks, on the distribution.
    const [aclId, acl] = onlyOf('AWS::WAFv2::WebACL');
    expect(acl.Properties.Scope).toBe('CLOUDFRONT');
    expect(acl.Properties.Rules).toEqual(expect.arrayContaining([expect.objectContaining({ Action: { Block: {} }, Statement: { RateBasedStatement: expect.objectContaining({ AggregateKeyType: 'IP' }) } })]));
    expect(cfg.WebACLId).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
    // The pages are routes of the HTTP API without authorizer, on the web function; sign-in is the hosted login's code flow.
    const pageRoutes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties).filter((r) => webPages.some((p) => `${p.method} ${p.path}` === r.RouteKey));
    expect(pageRoutes).toHaveLength(webPages.length);
    for (const r of pageRoutes) expect(r.AuthorizationType).toBe('NONE');
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      CallbackURLs: ['https://members.example.org/auth/callback'],
    });
    const env = resources[fnId('web')]!.Properties.Environment.Variables;
    expect(env.AUTH_URL).toBeDefined();
    expect(env.AUTH_CLIENT_ID).toEqual({ Ref: onlyOf('AWS::Cognito::UserPoolClient')[0] });
  });

  test('outputs for the web app and the operator', () => {
    template.hasOutput('WebUrl', {});
    template.hasOutput('WebAssetsBucketName', {});
    for (const name of ['ApiUrl', 'UserPoolId', 'UserPoolClientId', 'TableName', 'AlarmTopicArn']) {
      template.hasOutput(name, {});
    }
    template.hasOutput('StripeSecretArn', { Value: { Ref: secretIds().stripe } });
    template.hasOutput('DailyJobFunctionName', { Value: { Ref: fnId('jobsDaily') } });
    template.hasOutput('DailyJobDeadLetterQueueUrl', { Value: { Ref: dailyQueueId() } });
    template.hasOutput('ScheduledJobDeadLetterQueueUrl', { Value: { Ref: dlqOf('jobsScheduled') } });
    template.hasOutput('SesEventsDeadLetterQueueUrl', { Value: { Ref: dlqOf('sesEvents') } });
    template.hasOutput('StreamFailuresQueueUrl', { Value: { Ref: streamFailuresQueueId() } });
    template.hasOutput('SesConfigurationSetName', { Value: { Ref: onlyOf('AWS::SES::ConfigurationSet')[0] } });
    template.hasOutput('ScheduleGroupName', { Value: onlyOf('AWS::Scheduler::ScheduleGroup')[1].Properties.Name });
    template.hasOutput('ExportsBucketName', { Value: { Ref: bucketIds().exports } });
  });
});

describe('settings', () => {
  const settingsOf = (ctx: Record<string, unknown>) => readSettings(new CdkApp({ context: ctx }));

  test('CORS allows the web app origin by default, never *', () => {
    expect(settingsOf({}).corsOrigins).toEqual(['https://app.example.com']);
    expect(settingsOf({ appUrl: 'https://example.org/app/' }).corsOrigins).toEqual(['https://example.org']);
    expect(() => settingsOf({ corsOrigins: '*' })).toThrow(/corsOrigins/);
    expect(() => settingsOf({ corsOrigins: 'https://a.example.org,*' })).toThrow(/corsOrigins/);
    expect(() => settingsOf({ corsOrigins: 'https://a.example.org/path' })).toThrow(/corsOrigins/);
  });

  test('defaults', () => {
    expect(settingsOf({})).toMatchObject({
      mailFrom: 'no-reply@example.com',
      mailFromDomain: 'example.com',
      appUrl: 'https://app.example.com',
      platformFeePercent: 0,
      sesMaxSendRate: 10,
    });
  });

  test('context values, as strings from -c or numbers from cdk.json', () => {
    expect(settingsOf({ mailFrom: 'Dues@Mail.Example.ORG', appUrl: 'https://example.org/app/', platformFeePercent: '1.25', sesMaxSendRate: '14' })).toMatchObject({
      mailFrom: 'Dues@Mail.Example.ORG',
      mailFromDomain: 'mail.example.org',
      appUrl: 'https://example.org/app',
      platformFeePercent: 1.25,
      sesMaxSendRate: 14,
    });
    expect(settingsOf({ platformFeePercent: 1.15 }).platformFeePercent).toBe(1.15);
    expect(settingsOf({ appUrl: 'http://localhost:3000' }).appUrl).toBe('http://localhost:3000');
  });

  test.each([
    [{ mailFrom: 'Dues <dues@example.org>' }, /mailFrom/],
    [{ mailFrom: 'example.org' }, /mailFrom/],
    [{ appUrl: 'app.example.org' }, /appUrl/],
    [{ appUrl: 'http://app.example.org' }, /appUrl/],
    [{ appUrl: 'https://app.example.org/?x=1' }, /appUrl/],
    [{ platformFeePercent: '-1' }, /platformFeePercent/],
    [{ platformFeePercent: '100' }, /platformFeePercent/],
    [{ platformFeePercent: '2.555' }, /platformFeePercent/],
    [{ platformFeePercent: 'ten' }, /platformFeePercent/],
    [{ sesMaxSendRate: '0' }, /sesMaxSendRate/],
    [{ sesMaxSendRate: '' }, /sesMaxSendRate/],
  ])('refuses %j', (ctx, message) => {
    expect(() => settingsOf(ctx)).toThrow(message);
  });
});

describe('cdk-nag AwsSolutions', () => {
  let app: App;
  let synthError: unknown;

  beforeAll(() => {
    // Bundling is irrelevant to the rules; skipping it keeps this app fast.
    ({ app } = buildApp({ context: { ...context, 'aws:cdk:bundling-stacks': [] } }));
    try {
      app.synth();
    } catch (err) {
      synthError = err;
    }
  });

  test('synth passes the validation plugin, as `cdk synth` does', () => {
    expect(synthError === undefined ? '' : String((synthError as Error).message ?? synthError)).toBe('');
  });

  test('no unacknowledged AwsSolutions errors or warnings', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations
      .filter((v) => v.severity === 'error' || v.severity === 'warning')
      .map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });

  test('acknowledgements are the reviewed set, each with a reason', () => {
    const acks = app.node.findAll().flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.entries(m.data as Record<string, string>))
        .map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason })),
    );
    for (const a of acks) expect(a.reason.length).toBeGreaterThan(40);
    // Resource names as cdk-nag writes them, made stable: a logical id `<DataTableABCD1234.Arn>` by
    // what it is, the generated schedule group name, and literal or pseudo region and account.
    const stable = (id: string) =>
      id
        .replace(/<Data\w*Table\w+\.Arn>/, '<Table.Arn>')
        .replace(/<Exports\w*Bucket\w+\.Arn>/, '<ExportsBucket.Arn>')
        .replace(/:scheduler:.+:schedule\/[\w-]+-Schedules-Group-\w+\//, ':scheduler:<region>:<account>:schedule/<ScheduleGroup>/');
    const ids = [...new Set(acks.map((a) => stable(a.id)))].sort();
    // Adding a suppression means adding it here and to docs/deploy.md.
    expect(ids).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR3',
      'AwsSolutions-CFR4',
      'AwsSolutions-COG2',
      'AwsSolutions-COG8',
      'AwsSolutions-IAM5[Resource::<ExportsBucket.Arn>/*]',
      'AwsSolutions-IAM5[Resource::<Table.Arn>/index/*]',
      'AwsSolutions-IAM5[Resource::<Table.Arn>/stream/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<region>:<account>:schedule/<ScheduleGroup>/*]',
      'AwsSolutions-S1',
      'AwsSolutions-SMG4',
      'AwsSolutions-SQS3',
    ]);
    // No authorizer: the public routes, and the viewer routes, whose token the function verifies.
    const apig4 = acks.filter((a) => a.id === 'AwsSolutions-APIG4');
    expect(apig4).toHaveLength(routes.filter((r) => r.access === 'public' || r.access === 'viewer').length + webPages.length);
    for (const spec of routes.filter((r) => r.access === 'viewer')) {
      expect(apig4.filter((a) => a.reason.startsWith(`${routeKey(spec)}: `)).map((a) => a.reason)).toEqual([
        expect.stringMatching(/^[^:]+: token optional: verified in the function/),
      ]);
    }
    // Each wildcard resource only on the roles that have that access.
    const pathsOf = (pattern: RegExp) => acks.filter((a) => pattern.test(a.id)).map((a) => a.path.replace(/^[^/]+\//, '')).sort();
    expect(pathsOf(/\/stream\/\*\]$/)).toEqual(['Functions/streamsRole', 'Functions/stripeEventsRole']);
    expect(pathsOf(/Bucket\w+\.Arn>\/\*\]$/)).toEqual(withAccess('exports', 'readWrite').map((n) => `Functions/${n}Role`));
    expect(pathsOf(/:schedule\//)).toEqual(withAccess('scheduler', 'manage').map((n) => `Functions/${n}Role`));
    expect(pathsOf(/\/index\/\*\]$/)).toEqual(withAccess('table').map((n) => `Functions/${n}Role`).sort());
    // The stream's on-failure queue is a dead-letter destination cdk-nag does not recognize.
    expect(pathsOf(/^AwsSolutions-SQS3$/)).toEqual(['Outbox/Failures', 'StripeEvents/Failures']);
    // No rotation Lambda only for the secrets whose reasons were reviewed: the cursor key, the link keys and the Stripe keys.
    expect(acks.filter((a) => a.id === 'AwsSolutions-SMG4').map((a) => a.path.replace(/^[^/]+\//, '')).sort()).toEqual([
      'Functions/CursorSecret',
      'Functions/LinkSecret',
      'Functions/StripeSecret',
    ]);
  });
});
