/** What the CDK provider framework expects back from an onEvent handler. */
export interface HandlerResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** What the CDK provider framework expects back from an isComplete handler. */
export interface CompletionResponse {
  readonly IsComplete: boolean;
  readonly Data?: Record<string, string>;
}
