/**
 * An error answered the way GuardDuty answers: HTTP status, the error name in the
 * `x-amzn-ErrorType` header (which the SDK's REST-JSON deserializer reads first) and a JSON
 * body `{ message, __type }`. The SDK throws the modelled class for modelled names
 * (`BadRequestException`) and its base `GuardDutyServiceException` carrying the name for
 * the rest (`TooManyRequestsException`, which GuardDuty's model does not declare).
 */
export class ServiceError extends Error {
  constructor(
    public readonly errorType: string,
    public readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export function badRequest(message: string): ServiceError {
  return new ServiceError('BadRequestException', 400, message);
}

/** GuardDuty's wording when a detector ID is not the caller's own in the signed region. */
export function detectorNotOwned(): ServiceError {
  return badRequest('The request is rejected because the input detectorId is not owned by the current account.');
}
