import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

export interface AuthProps {
  /** Sender of the pool's verification and reset mail: the same SES identity the functions send as. */
  mailFrom: string;
  mailFromDomain: string;
  /** The web app's address: the hosted login returns there. */
  appUrl: string;
}

/** Cognito sign-up and sign-in for the web app; the API trusts its JWTs. */
export class Auth extends Construct {
  readonly userPool: cognito.UserPool;
  readonly webClient: cognito.UserPoolClient;
  /** Token issuer the API's JWT authorizer checks. */
  readonly issuer: string;

  /** Base of the hosted login's OAuth 2 endpoints (authorize, token), for the web app's sign-in. */
  readonly oauthUrl: string;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      signInAliases: { email: true },
      signInCaseSensitive: false,
      selfSignUpEnabled: true,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      userVerification: { emailStyle: cognito.VerificationEmailStyle.CODE },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // TOTP only: SMS would need an SNS sending role and costs per message.
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Through SES, not Cognito's own mailer (50 mails a day, a no-reply sender): the verified
      // domain identity the functions use, so codes come from the association platform's address.
      email: cognito.UserPoolEmail.withSES({ fromEmail: props.mailFrom, sesVerifiedDomain: props.mailFromDomain, sesRegion: Stack.of(this).region }),
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      // Passwordless: managed login offers a one-time code by email (Essentials plan, mail through SES,
      // both required by Cognito for email OTP); a password stays allowed because Cognito requires it.
      signInPolicy: { allowedFirstAuthFactors: { password: true, emailOtp: true } },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.webClient = this.userPool.addClient('WebClient', {
      // A browser cannot keep a secret.
      generateSecret: false,
      // USER_AUTH is the choice-based flow the managed login uses for the email code.
      authFlows: { userSrp: true, user: true },
      // The web app signs in through the hosted login: authorization code with PKCE, back to its callback.
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [`${props.appUrl.replace(/\/$/, '')}/auth/callback`],
        logoutUrls: [`${props.appUrl.replace(/\/$/, '')}/`],
      },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    this.issuer = `https://${this.userPool.userPoolProviderUrl}`;
    // A Cognito-hosted domain, unique per account and stack; a custom domain can replace it.
    const domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: `assoc-${Stack.of(this).stackName.toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 30)}-${Stack.of(this).account}` },
      // Managed login (not the classic hosted UI): only it offers the passwordless email code.
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    // Managed login pages are served only for a client that has a branding style; Cognito's defaults.
    new cognito.CfnManagedLoginBranding(this, 'LoginBranding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.webClient.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    this.oauthUrl = `${domain.baseUrl()}/oauth2`;

    acknowledge(
      this.userPool,
      'AwsSolutions-COG2',
      'MFA is optional (TOTP) rather than required: members of small associations sign up themselves and a mandatory authenticator app would stop many of them; the API holds no payment data.',
    );
    acknowledge(
      this.userPool,
      'AwsSolutions-COG8',
      'Essentials plan: the Plus plan (threat protection) is billed per monthly active user, too costly for volunteer-run associations; strong password policy, email verification, optional TOTP and API throttling are in place. Revisit if account takeover becomes a concern.',
    );
  }
}
