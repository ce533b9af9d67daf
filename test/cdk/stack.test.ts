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
import { functionAccess, jobNames, jobs, type FunctionAccess, type JobName } from '../../lib/stack.js';

const context = {
  stage: 'test',
  alarmEmail: 'ops@example.com',
  corsOrigins: 'https://app.example.com,https://admin.example.com',
  mailFrom: 'hello@example.org',
  appUrl: 'https://members.example.org/',
  platformFeePercent: '2.5',
  sesMaxSendRate: 14,
};

/** Every Lambda of the app: the HTTP functions and the scheduled jobs. */
type AnyFunction = FunctionName | JobName;
const allFunctions: AnyFunction[] = [...functionNames, ...jobNames];
const accessOf = (name: AnyFunction): FunctionAccess =>
  name in functionAccess ? functionAccess[name as FunctionName] : jobs[name as JobName].access;
const withAccess = (key: keyof FunctionAccess) => allFunctions.filter((name) => accessOf(name)[key]).sort();

/** An Fn::Join of strings and pseudo-parameter Refs as one string, e.g. `arn:${AWS::Partition}:ses:...`. */
const joined = (value: any): string =>
  typeof value === 'string'
    ? value
    : value['Fn::Join'][1].map((part: any) => (typeof part === 'string' ? part : `\${${part.Ref}}`)).join('');

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
    const cursor = secrets.filter(([, r]) => r.Properties.GenerateSecretString);
    const stripe = secrets.filter(([, r]) => r.Properties.Description?.startsWith('Stripe'));
    expect([cursor.length, stripe.length]).toEqual([1, 1]);
    return { cursor: cursor[0]![0], stripe: stripe[0]![0] };
  };
  const dailyQueueId = () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues).toHaveLength(1);
    return queues[0]![0];
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

  test('one route per catalog entry, public ones without authorizer, each on its function', () => {
    const apiRoutes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(apiRoutes).toHaveLength(routes.length);
    expect(apiRoutes.map((r) => r.RouteKey).sort()).toEqual(routes.map(routeKey).sort());

    const [authorizerId] = ofType('AWS::ApiGatewayV2::Authorizer')[0]!;
    for (const spec of routes) {
      const route = apiRoutes.find((r) => r.RouteKey === routeKey(spec))!;
      if (spec.access === 'public') {
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
  });

  test('one Lambda per catalog function plus the scheduled jobs, nothing else', () => {
    template.resourceCountIs('AWS::Lambda::Function', functionNames.length + jobNames.length);
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
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId('jobsDaily') },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
    });
  });

  test.each(allFunctions)('function %s: TABLE_NAME, CURSOR_SECRET and the Stripe settings exactly as functionAccess says', (name) => {
    const env = resources[fnId(name)]!.Properties.Environment.Variables;
    const access = accessOf(name);
    const [tableId] = ofType('AWS::DynamoDB::Table')[0]!;
    const secrets = secretIds();
    const present = (key: string) => Object.prototype.hasOwnProperty.call(env, key);

    expect({ name, table: present('TABLE_NAME'), cursorSecret: present('CURSOR_SECRET'), stripe: present('STRIPE_SECRET_ARN') }).toEqual({
      name,
      table: access.table,
      cursorSecret: access.cursorSecret,
      stripe: access.stripe,
    });
    if (access.table) expect(env.TABLE_NAME).toEqual({ Ref: tableId });
    if (access.cursorSecret) {
      expect(env.CURSOR_SECRET).toEqual({
        'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secrets.cursor }, ':SecretString:::}}']],
      });
    }
    if (access.stripe) {
      // Only the ARN: the keys are read with GetSecretValue at cold start, never put in the configuration.
      expect(env).toMatchObject({ STRIPE_SECRET_ARN: { Ref: secrets.stripe }, PLATFORM_FEE_PERCENT: '2.5', SES_MAX_SEND_RATE: '14' });
    } else {
      expect(env).not.toHaveProperty('PLATFORM_FEE_PERCENT');
      expect(env).not.toHaveProperty('SES_MAX_SEND_RATE');
    }
    expect(JSON.stringify(env)).not.toMatch(/sk_(live|test)_|whsec_/);
  });

  test.each(allFunctions)('function %s: the bundle uses the table, cursors, Stripe and SES exactly when the stack grants them', (name) => {
    // Catches drift between lib/stack.ts (functionAccess, jobs) and what the handler code requires.
    // esbuild drops unused code, so a bundle names STRIPE_SECRET_ARN only if it awaits the
    // Stripe settings, and the SES v2 SendEmailCommand class (kept by keepNames) only if it sends mail.
    const fn = resources[fnId(name)]!.Properties;
    const hash = String(fn.Code.S3Key).replace(/\.zip$/, '');
    const bundleDir = path.join(app.outdir, `asset.${hash}`);
    const code = fs
      .readdirSync(bundleDir)
      .filter((f) => /\.m?js$/.test(f))
      .map((f) => fs.readFileSync(path.join(bundleDir, f), 'utf8'))
      .join('\n');
    expect({
      name,
      table: code.includes('TABLE_NAME'),
      cursorSecret: code.includes('CURSOR_SECRET'),
      stripe: code.includes('STRIPE_SECRET_ARN'),
      ses: code.includes('SendEmailCommand'),
    }).toEqual({ name, ...accessOf(name) });
    // And no variable is set that the code never reads (Powertools reads its own).
    const unread = Object.keys(fn.Environment.Variables).filter((key) => !key.startsWith('POWERTOOLS_') && !code.includes(key));
    expect({ name, unread }).toEqual({ name, unread: [] });
  });

  test('least privilege: no managed policies; only table functions get DynamoDB, scoped to the table', () => {
    for (const [, role] of ofType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const [tableId] = ofType('AWS::DynamoDB::Table')[0]!;
    for (const name of allFunctions) {
      const roleId = roleOf(name);
      const statements = policyStatementsOfRole(roleId);
      const dynamo = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('dynamodb:')));
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

  test('least privilege: only the Stripe functions may read the Stripe secret, and nothing else of Secrets Manager', () => {
    expect(withAccess('stripe')).toEqual(['dues', 'jobsDaily', 'members', 'webhooks']);
    const { stripe } = secretIds();
    const readers: string[] = [];
    for (const name of allFunctions) {
      const secretStatements = policyStatementsOfRole(roleOf(name)).filter((s) => actionsOf([s]).some((a) => a.startsWith('secretsmanager:')));
      if (secretStatements.length === 0) continue;
      readers.push(name);
      for (const s of secretStatements) {
        expect({ name, resource: s.Resource }).toEqual({ name, resource: { Ref: stripe } });
        expect(actionsOf([s]).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
      }
    }
    expect(readers.sort()).toEqual(withAccess('stripe'));
  });

  test('least privilege: only the mail-sending functions may send, and only as the mailFrom address or its domain', () => {
    expect(withAccess('ses')).toEqual(['jobsDaily', 'members', 'webhooks']);
    const senders: string[] = [];
    for (const name of allFunctions) {
      const ses = policyStatementsOfRole(roleOf(name)).filter((s) => actionsOf([s]).some((a) => a.startsWith('ses:')));
      if (ses.length === 0) continue;
      senders.push(name);
      expect(ses).toHaveLength(1);
      expect(actionsOf(ses).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
      // Region and account are the stack's: pseudo parameters, or literals when CDK_DEFAULT_* are set.
      const identity = (name: string) =>
        expect.stringMatching(new RegExp(`^arn:\\$\\{AWS::Partition\\}:ses:(\\$\\{AWS::Region\\}|[a-z0-9-]+):(\\$\\{AWS::AccountId\\}|\\d{12}):identity/${name.replace(/\./g, '\\.')}$`));
      expect(ses[0].Resource.map(joined)).toEqual([identity('example.org'), identity('hello@example.org')]);
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
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
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
    const [, queuePolicy] = ofType('AWS::SQS::QueuePolicy')[0]!;
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
    const senders = allFunctions.filter((name) => actionsOf(policyStatementsOfRole(roleOf(name))).includes('sqs:SendMessage'));
    expect(senders).toEqual(['jobsDaily']);
    expect(policyStatementsOfRole(roleOf('jobsDaily'))).toContainEqual(
      expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } }),
    );
  });

  test('alarms on API 5xx, each function errors and throttles, the job dead-letter queue and table throttling, all to the SNS topic', () => {
    const [topicId] = ofType('AWS::SNS::Topic')[0]!;
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topicId },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });

    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    // API 5xx, Errors and Throttles of every function (HTTP and jobs), the dead-letter queue, the table.
    expect(alarms).toHaveLength(1 + 2 * allFunctions.length + 1 + 1);
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
    // One message in the dead-letter queue is one daily run given up on.
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dailyQueueId(), 'QueueName'] } }],
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
    const tableAlarm = alarms.find((a) => a.Metrics?.some((m: any) => m.MetricStat?.Metric?.MetricName === 'ThrottledRequests'));
    expect(tableAlarm).toBeDefined();
  });

  test('outputs for the web app and the operator', () => {
    for (const name of ['ApiUrl', 'UserPoolId', 'UserPoolClientId', 'TableName', 'AlarmTopicArn']) {
      template.hasOutput(name, {});
    }
    template.hasOutput('StripeSecretArn', { Value: { Ref: secretIds().stripe } });
    template.hasOutput('DailyJobFunctionName', { Value: { Ref: fnId('jobsDaily') } });
    template.hasOutput('DailyJobDeadLetterQueueUrl', { Value: { Ref: dailyQueueId() } });
  });
});

describe('settings', () => {
  const settingsOf = (ctx: Record<string, unknown>) => readSettings(new CdkApp({ context: ctx }));

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
    const ids = [...new Set(acks.map((a) => a.id.replace(/\[Resource::<\w+\.Arn>/, '[Resource::<Table.Arn>')))].sort();
    // Adding a suppression means adding it here and to docs/deploy.md.
    expect(ids).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-COG2',
      'AwsSolutions-COG8',
      'AwsSolutions-IAM5[Resource::<Table.Arn>/index/*]',
      'AwsSolutions-SMG4',
    ]);
    const publicRoutes = routes.filter((r) => r.access === 'public').length;
    expect(acks.filter((a) => a.id === 'AwsSolutions-APIG4')).toHaveLength(publicRoutes);
    // No rotation only for the two secrets whose reasons were reviewed: the cursor key and the Stripe keys.
    expect(acks.filter((a) => a.id === 'AwsSolutions-SMG4').map((a) => a.path.replace(/^[^/]+\//, '')).sort()).toEqual([
      'Functions/CursorSecret',
      'Functions/StripeSecret',
    ]);
  });
});
