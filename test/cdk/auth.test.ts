/**
 * The sign-in the web app relies on (issue 9): Cognito's managed login through the OAuth 2
 * authorization-code flow with PKCE, back to /auth/callback, for a public client (no secret),
 * email as the sign-in name, and the passwordless email code the Essentials plan allows.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Auth } from '../../lib/constructs/auth.js';

const stack = new Stack(new App(), 'AuthTest', { env: { account: '111111111111', region: 'us-east-1' } });
const auth = new Auth(stack, 'Auth', { appUrl: 'https://members.example.org/', mailFrom: 'hello@example.org', mailFromDomain: 'example.org' });
const template = Template.fromStack(stack);
const only = (type: string) => {
  const found = Object.entries(template.findResources(type));
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('Cognito managed login for the web app', () => {
  test('the app client: code grant only, no secret, callback /auth/callback, openid scopes', () => {
    const [, client] = only('AWS::Cognito::UserPoolClient');
    const p = client.Properties;
    expect(p.GenerateSecret).toBe(false);
    // Only the authorization-code grant: no implicit flow, no client credentials.
    expect(p.AllowedOAuthFlows).toEqual(['code']);
    expect(p.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(p.CallbackURLs).toEqual(['https://members.example.org/auth/callback']);
    expect(p.LogoutURLs).toEqual(['https://members.example.org/']);
    expect(p.AllowedOAuthScopes).toEqual(expect.arrayContaining(['openid', 'email']));
    // The choice-based flow managed login uses for the email code, and SRP for passwords; never plain USER_PASSWORD.
    expect(p.ExplicitAuthFlows).toEqual(expect.arrayContaining(['ALLOW_USER_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']));
    expect(p.ExplicitAuthFlows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
  });

  test('the pool: email is the sign-in name, Essentials plan, passwordless email code allowed', () => {
    const [, pool] = only('AWS::Cognito::UserPool');
    const p = pool.Properties;
    expect(p.UsernameAttributes).toEqual(['email']);
    expect(p.UserPoolTier).toBe('ESSENTIALS');
    expect(p.Policies.SignInPolicy.AllowedFirstAuthFactors).toEqual(expect.arrayContaining(['PASSWORD', 'EMAIL_OTP']));
    // Cognito sends email codes only through the pool's own SES identity.
    expect(p.EmailConfiguration.EmailSendingAccount).toBe('DEVELOPER');
  });

  test('a domain serving managed login (version 2) with a branding style for the web client', () => {
    const [, domain] = only('AWS::Cognito::UserPoolDomain');
    expect(domain.Properties.ManagedLoginVersion).toBe(2);
    const [clientId] = only('AWS::Cognito::UserPoolClient');
    template.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', { ClientId: { Ref: clientId }, UseCognitoProvidedValues: true, UserPoolId: Match.anyValue() });
    // The web app's OAuth endpoints are the domain's (authorize, token).
    expect(Stack.of(auth).resolve(auth.oauthUrl)).toBeDefined();
  });
});
