#!/usr/bin/env node
import { buildApp } from '../lib/app.js';

// Stage, mail sender, CORS origins, app URL, Stripe fee, SES send rate and the alarm email
// come from context: see docs/deploy.md.
buildApp();
