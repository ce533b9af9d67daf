import { routes } from '../../functions/core/api.js';
import middy from '@middy/core';
test('loads', () => { expect(routes.length).toBeGreaterThan(5); expect(typeof middy).toBe('function'); });
