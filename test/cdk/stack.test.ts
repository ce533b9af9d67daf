/**
 * Template assertions for the CDK app, and the cdk-nag gate: any AwsSolutions error or
 * warning that is neither fixed nor acknowledged with a reason fails this suite.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Validations, type App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { functionNames, routeKey, routes, type FunctionName } from '../../functions/core/api.js';
import { tableSchema } from '../../functions/core/data/table-schema.js';
import { buildApp } from '../../lib/app.js';
import { functionAccess } from '../../lib/stack.js';

const context = {
  stage: 'test',
  alarmEmail: 'ops@example.com',
  corsOrigins: 'https://app.example.com,https://admin.example.com',
  mailFrom: 'hello@example.org',
};

type Resource = { Type: string; Properties: any; DeletionPolicy?: string };

describe('template', () => {
  let app: App;
  let template: Template;
  let resources: Record<string, Resource>;

  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const fnId = (name: FunctionName) => {
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
    });
    const [tableId] = ofType('AWS::DynamoDB::Table')[0]!;
    if (functionAccess[name].table) expect(env.TABLE_NAME).toEqual({ Ref: tableId });
    else expect(env).not.toHaveProperty('TABLE_NAME');

    const [secretId] = ofType('AWS::SecretsManager::Secret')[0]!;
    if (functionAccess[name].cursorSecret) {
      expect(env.CURSOR_SECRET).toEqual({
        'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']],
      });
    } else {
      expect(env).not.toHaveProperty('CURSOR_SECRET');
    }
  });

  test.each(functionNames)('function %s: the bundle reads TABLE_NAME / CURSOR_SECRET exactly when the stack grants them', (name) => {
    // Catches drift between lib/stack.ts functionAccess and what the handler code requires.
    const fn = resources[fnId(name)]!.Properties;
    const hash = String(fn.Code.S3Key).replace(/\.zip$/, '');
    const bundleDir = path.join(app.outdir, `asset.${hash}`);
    const code = fs
      .readdirSync(bundleDir)
      .filter((f) => /\.m?js$/.test(f))
      .map((f) => fs.readFileSync(path.join(bundleDir, f), 'utf8'))
      .join('\n');
    expect({ name, table: code.includes('TABLE_NAME'), cursorSecret: code.includes('CURSOR_SECRET') }).toEqual({
      name,
      ...functionAccess[name],
    });
  });

  test('least privilege: no managed policies; only table functions get DynamoDB, scoped to the table', () => {
    for (const [, role] of ofType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const [tableId] = ofType('AWS::DynamoDB::Table')[0]!;
    for (const name of functionNames) {
      const roleId = resources[fnId(name)]!.Properties.Role['Fn::GetAtt'][0];
      const statements = policyStatementsOfRole(roleId);
      const dynamo = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('dynamodb:')));
      if (!functionAccess[name].table) {
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
    const metaRole = resources[fnId('meta')]!.Properties.Role['Fn::GetAtt'][0];
    expect(actionsOf(policyStatementsOfRole(metaRole)).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
  });

  test('cursor secret: generated, 48 characters, no punctuation', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 48, ExcludePunctuation: true }),
    });
  });

  test('alarms on API 5xx, each function errors and throttles, and table throttling, all to the SNS topic', () => {
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
    expect(alarms).toHaveLength(1 + 2 * functionNames.length + 1);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
    }
    const [apiId] = ofType('AWS::ApiGatewayV2::Api')[0]!;
    expect(alarms).toContainEqual(
      expect.objectContaining({ Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: { Ref: apiId } }] }),
    );
    for (const name of functionNames) {
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
    const tableAlarm = alarms.find((a) => a.Metrics?.some((m: any) => m.MetricStat?.Metric?.MetricName === 'ThrottledRequests'));
    expect(tableAlarm).toBeDefined();
  });

  test('outputs for the web app and the operator', () => {
    for (const name of ['ApiUrl', 'UserPoolId', 'UserPoolClientId', 'TableName', 'AlarmTopicArn']) {
      template.hasOutput(name, {});
    }
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
  });
});
