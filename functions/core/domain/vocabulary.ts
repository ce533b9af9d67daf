/**
 * The fixed vocabulary for `offers` and `seeks`: one person's offer meets another's need
 * only if both use the same word, so free text is not accepted here.
 */
export const intents = [
  'mentoring',
  'hiring',
  'job',
  'investment',
  'cofounder',
  'customers',
  'partnership',
  'advice',
  'speaking',
  'volunteering',
  'feedback',
  'suppliers',
] as const;
export type Intent = (typeof intents)[number];

export const intentLabels: Record<Intent, string> = {
  mentoring: 'Mentoring',
  hiring: 'Hiring (people to hire, or roles to fill)',
  job: 'A job',
  investment: 'Investment',
  cofounder: 'A co-founder',
  customers: 'Customers',
  partnership: 'Business partnerships',
  advice: 'Advice',
  speaking: 'Speaking opportunities',
  volunteering: 'Volunteering',
  feedback: 'Feedback on a product or idea',
  suppliers: 'Suppliers or vendors',
};

/**
 * How each intent reads inside a sentence, after "offers" or "is looking for" ("Dana offers
 * mentoring, which you are looking for"): the labels above are for form controls.
 */
export const intentPhrases: Record<Intent, string> = {
  mentoring: 'mentoring',
  hiring: 'help with hiring',
  job: 'a job',
  investment: 'investment',
  cofounder: 'a co-founder partnership',
  customers: 'business as a customer',
  partnership: 'business partnerships',
  advice: 'advice',
  speaking: 'speaking opportunities',
  volunteering: 'volunteering',
  feedback: 'feedback on products and ideas',
  suppliers: 'supplies and services',
};

/** An intent in a sentence; one outside the vocabulary (older data) reads as its words, never as a code. */
export function intentPhrase(intent: string): string {
  if (Object.hasOwn(intentPhrases, intent)) return intentPhrases[intent as Intent];
  return intent.replace(/[_-]+/g, ' ').trim() || 'something';
}
