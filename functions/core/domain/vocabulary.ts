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
