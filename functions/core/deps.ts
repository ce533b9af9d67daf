/** The store every handler uses, built once per container from the shared clients. */
import { documentClient } from './clients.js';
import { required } from './config.js';
import { createStore } from './data/store.js';

export const store = createStore(documentClient, required('TABLE_NAME'));
