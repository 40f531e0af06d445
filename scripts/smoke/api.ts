import { type SignedRequest, type SignedResponse, sendRequest } from '../../stand-ins/signed-request';
import { output, type SmokeTarget } from './target';

/** Sends one request to the stack's API (its ApiUrl output), signed with the target's credentials when asked. */
export function apiCall(target: SmokeTarget, request: SignedRequest): Promise<SignedResponse> {
  return sendRequest(request, output(target, 'ApiUrl'), target.region, target.credentials);
}

/** `status` was expected; otherwise the message shows what came. */
export function expectStatus(response: SignedResponse, status: number, what: string): void {
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
  }
}
