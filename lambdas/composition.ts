import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { siteConfig, type SiteConfig } from '../config/env.js';
import { siteClients, type SiteClients } from './clients.js';
import type { TenantRules } from './domain/tenant-lifecycle.js';
import { TenantAuthenticator } from './http/auth/tenant-user.js';
import { kmsPersonalDataCipher, type PersonalDataCipher } from './keys/personal-data-cipher.js';
import { kmsPseudonymKeys, type PseudonymKeys } from './keys/pseudonyms.js';
import { MediaKeys } from './keys/media-keys.js';
import { kmsTenantKeys } from './keys/tenant-keys.js';
import { DirectoryStore } from './store/directory-store.js';
import { IdempotencyStore } from './store/idempotency-store.js';
import { mediaNodes, type MediaNode } from '../media/livekit/media-nodes.js';
import { E2eeStore } from './store/e2ee-store.js';
import { LiveStore } from './store/live-store.js';
import { MeetingStore } from './store/meeting-store.js';
import { TenantStore } from './store/tenant-store.js';
import { DEFAULT_RETENTION_DAYS } from '../config/tiers.js';

/** Everything a handler needs, built once per container from the validated environment. */
export interface Site {
  readonly config: SiteConfig;
  readonly clients: SiteClients;
  readonly cipher: PersonalDataCipher;
  readonly directory: DirectoryStore;
  readonly tenants: TenantStore;
  readonly idempotency: IdempotencyStore;
  readonly tenantRules: TenantRules;
  readonly authenticator: TenantAuthenticator;
  readonly pseudonyms: PseudonymKeys;
  readonly meetings: MeetingStore;
  readonly live: LiveStore;
  readonly nodes: ReadonlyMap<string, MediaNode>;
  readonly mediaKeys: MediaKeys;
  readonly e2ee: E2eeStore;
}

let site: Site | undefined;

export function buildSite(config: SiteConfig, clients: SiteClients): Site {
  const replicas = config.directoryReplicaRegions
    .filter((region) => region !== config.region)
    .map(
      (region) =>
        new DynamoDBClient({
          region,
          ...(config.endpoints.dynamodb && { endpoint: config.endpoints.dynamodb }),
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }),
    );
  const cipher = kmsPersonalDataCipher(clients.kms, config.siteId, config.region);
  const directory = new DirectoryStore(clients.dynamodb, config.directoryTableName, replicas);
  const tenants = new TenantStore(clients.dynamodb, config.tableName, directory, cipher);
  const pseudonyms = kmsPseudonymKeys(clients.kms, config.siteId);
  return {
    pseudonyms,
    meetings: new MeetingStore(clients.dynamodb, config.tableName, cipher, DEFAULT_RETENTION_DAYS.meetings * 86_400),
    live: new LiveStore(clients.dynamodb, config.tableName, {
      attendance: DEFAULT_RETENTION_DAYS.attendance * 86_400,
      lobby: DEFAULT_RETENTION_DAYS.lobbyTickets * 86_400,
    }),
    nodes: mediaNodes(config.mediaNodes, config.dependencyTimeoutMs),
    e2ee: new E2eeStore(clients.dynamodb, config.tableName, DEFAULT_RETENTION_DAYS.devices * 86_400),
    mediaKeys: new MediaKeys(clients.kms, clients.dynamodb, config.tableName, DEFAULT_RETENTION_DAYS.meetings * 86_400),
    config,
    clients,
    cipher,
    directory,
    tenants,
    idempotency: new IdempotencyStore(clients.dynamodb, config.tableName),
    tenantRules: {
      repository: tenants,
      directory,
      keys: {
        ...kmsTenantKeys(clients.kms, config.siteId),
        createPseudonymKey: (tenantId, keyArn) => pseudonyms.create(tenantId, keyArn),
      },
      siteId: config.siteId,
      siteRegion: config.region,
      now: () => new Date(),
    },
    authenticator: new TenantAuthenticator(config, directory, (id) => tenants.get(id)),
  };
}

export function currentSite(): Site {
  if (!site) {
    const config = siteConfig();
    site = buildSite(config, siteClients(config));
  }
  return site;
}
