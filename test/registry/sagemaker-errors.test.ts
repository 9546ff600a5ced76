import { SageMakerServiceException } from '@aws-sdk/client-sagemaker'
import { describe, expect, it } from 'vitest'
import { toGatewayError } from '../../src/adapters/sagemaker/client.js'

/** How SDK errors (the SDK's own exception class, as its retries leave them) become gateway codes. */
describe('SageMaker error mapping', () => {
  const sdkError = (name: string, fault: 'client' | 'server', message = 'boom') =>
    new SageMakerServiceException({ name, $fault: fault, $metadata: { httpStatusCode: fault === 'client' ? 400 : 500 }, message })

  it('throttling that outlasts the retries is BACKEND_UNAVAILABLE naming the backend', () => {
    const error = toGatewayError(sdkError('ThrottlingException', 'client', 'Rate exceeded'), 'sm')
    expect([error.code, error.backend]).toEqual(['BACKEND_UNAVAILABLE', 'sm'])
    expect(error.message).toContain('throttling')
  })

  it('refused credentials are BACKEND_AUTH; missing things NOT_FOUND; bad input BAD_USER_INPUT; server faults BACKEND_UNAVAILABLE', () => {
    expect(toGatewayError(sdkError('UnrecognizedClientException', 'client', 'The security token included in the request is invalid'), 'sm').code).toBe('BACKEND_AUTH')
    expect(toGatewayError(sdkError('ValidationException', 'client', 'Model package x not found'), 'sm').code).toBe('NOT_FOUND')
    expect(toGatewayError(sdkError('ValidationException', 'client', 'Value at modelApprovalStatus failed'), 'sm').code).toBe('BAD_USER_INPUT')
    expect(toGatewayError(sdkError('InternalFailure', 'server'), 'sm').code).toBe('BACKEND_UNAVAILABLE')
    expect(toGatewayError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'sm').code).toBe('BACKEND_UNAVAILABLE')
  })

  it('keeps the credentials out of the message', () => {
    const error = toGatewayError(sdkError('UnrecognizedClientException', 'client', 'key AKIAEXAMPLE is invalid'), 'sm')
    expect(error.message).not.toContain('AKIAEXAMPLE')
  })
})
