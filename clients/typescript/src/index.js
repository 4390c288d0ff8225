// reputation-client: prompt fingerprints and reasoning-elicitation scores computed in the caller's
// process (the prompt never leaves it), a usage buffer, and decide/ingest calls with a timeout and a
// configured fallback. No runtime dependencies beyond Node.

export { promptFingerprint, normalize, simhash, bucketKeys, distance, BANDS, BITS_PER_BAND } from './fingerprint.js';
export { reasoningElicitation, elicitationMatches } from './elicitation.js';
export { UsageBuffer, usageEventId, MAX_FINGERPRINTS } from './usage.js';
export { ReputationClient, ReputationApiError, API_KEY_HEADER } from './client.js';
