/**
 * zod/mini loads no locale (classic loaded English itself), and without one every message is
 * "Invalid input". The schema modules import this so the API's `errors[]` keep zod's English
 * wording; only `en` is imported, the other locales stay out of the bundles.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());
