/** Called numbers of the test agents; any other number has no agent (and there is no default). */
export const MAIN_NUMBER = '+15550100000';
export const REST_NUMBER = '+15550100999';
export const NOBODY_NUMBER = '+15559990000';

export const SILENCE_MS = 5_000;
export const GREETING = 'Hello, this is the main line.';
export const REPROMPTS = ['Are you still there?', 'I am still here if you need me.'];
export const GOODBYE = 'Goodbye for now.';

/** Two agents with settings that differ from the defaults, so the tests see them used. */
export const TEST_AGENTS = {
  agents: [
    {
      id: 'main',
      numbers: [MAIN_NUMBER],
      greeting: GREETING,
      playback: { mode: 'stream', codec: 'PCMA' },
      transcription: { engine: 'Deepgram', language: 'de', interimResults: true },
      bargeIn: { enabled: true, minWords: 2 },
      deadAir: { silenceMs: SILENCE_MS, reprompts: REPROMPTS, hangupAfter: 2, goodbye: GOODBYE },
    },
    {
      id: 'rest',
      numbers: [REST_NUMBER],
      greeting: 'Hello from the REST line.',
      playback: { mode: 'rest', codec: 'PCMU' },
      transcription: { engine: 'Google', language: 'en', interimResults: false },
    },
  ],
};
