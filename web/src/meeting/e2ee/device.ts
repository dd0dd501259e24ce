import type { DeviceIdentity } from '@meetplane/e2ee';
import { ApiProblem, type ApiClient } from '../../api/client';
import { loadOrCreateDevice, replaceDevice } from './device-store';

/**
 * This browser's registered device for `owner`: loaded from (or created in)
 * IndexedDB and registered with `POST /v1/devices` before each end-to-end
 * join. Registering the very same registration again is 201 and refreshes it
 * (registrations expire). A 409 means the id is taken in the organisation by
 * someone else or with other keys — this device cannot use it, so it makes a
 * new identity under a new id and registers that.
 */
export async function registeredDevice(api: ApiClient, owner: string): Promise<DeviceIdentity> {
  let identity = await loadOrCreateDevice(owner);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await api.POST('/v1/devices', { body: identity.registration });
      return identity;
    } catch (error) {
      if (!(error instanceof ApiProblem) || error.status !== 409 || attempt > 0) throw error;
      identity = await replaceDevice(owner);
    }
  }
  return identity;
}
