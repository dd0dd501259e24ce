import { emptyQuery } from '../schemas/common.js';
import { dataSubjectBody, erasureReport, subjectExport } from '../schemas/data-subjects.js';
import { LONG_BUDGET_MS, type Operation } from '../operation.js';

/** The contract of the `data-subjects` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'POST /v1/data-subjects/export': {
    budgetMs: LONG_BUDGET_MS,
    operationId: 'exportDataSubject',
    summary:
      'Everything this site holds about one user of the tenant, as one JSON document: meetings hosted, invitations (give their address), attendance, devices, preferences, reports, audit entries (admins; audited)',
    tag: 'privacy',
    auth: 'tenant',
    query: emptyQuery,
    body: dataSubjectBody,
    success: { status: 200, description: 'The export', schema: subjectExport },
  },
  'POST /v1/data-subjects/erase': {
    budgetMs: LONG_BUDGET_MS,
    operationId: 'eraseDataSubject',
    summary:
      'Erase one user of the tenant: delete what is theirs, remove them from what is also about others, and report what was done; safe to run again (admins; audited)',
    tag: 'privacy',
    auth: 'tenant',
    query: emptyQuery,
    body: dataSubjectBody,
    success: { status: 200, description: 'What was erased', schema: erasureReport },
  },
} as const satisfies Record<string, Operation>;
