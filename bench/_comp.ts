import { buildBundleSet } from './bundle-set.js';
const set = await buildBundleSet('/tmp/bset3', (n) => ['webhooks', 'stripeEvents', 'jobsDaily', 'dues', 'members'].includes(n));
for (const b of set.bundles) console.log(b.name, b.bytes - set.floor.bytes);
