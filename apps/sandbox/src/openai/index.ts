export * from './openai.constants';
export { OpenAiSimulator } from './openai.simulator';
export type { OpenAiSimulatorOptions, AnswerContext, ChatMessage } from './openai.options';
export type { OpenAiFault } from './openai.faults';
export { generateAnswer, topicOf } from './answer.generator';
export { tokenize, countTokens } from './tokenizer';
