/* Generated from the API's OpenAPI document by scripts/web/generate-api-types.ts (npm run web:api-types). Do not edit. */
export interface paths {
    "/v1/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The site's id and region, and whether each dependency answers */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/directory/{slugOrDomain}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where a tenant lives and how its users sign in: the only data both sites hold */
        get: operations["lookUpTenant"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Onboard a tenant at its home site */
        post: operations["createTenant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a tenant */
        get: operations["getTenant"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change a tenant's settings */
        patch: operations["updateTenant"];
        trace?: never;
    };
    "/v1/tenants/{tenantId}/suspend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Suspend a tenant, with a reason and a legal basis its admins can read */
        post: operations["suspendTenant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/reinstate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reinstate a suspended tenant */
        post: operations["reinstateTenant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/offboard": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Offboard a tenant: shred its managed key, delete its records and its directory entry */
        post: operations["offboardTenant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's meeting occurrences in a time range, recurring meetings expanded */
        get: operations["listMeetings"];
        put?: never;
        /** Schedule a meeting (hosts and admins) */
        post: operations["createMeeting"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a meeting */
        get: operations["getMeeting"];
        put?: never;
        post?: never;
        /** Cancel a meeting (its host and admins) */
        delete: operations["cancelMeeting"];
        options?: never;
        head?: never;
        /** Change a meeting (its host and admins) */
        patch: operations["updateMeeting"];
        trace?: never;
    };
    "/v1/meetings/{meetingId}/invite.ics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The meeting as an iCalendar event, with its recurrence */
        get: operations["getMeetingCalendar"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/invitations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** E-mail the meeting's invitees its .ics through the tenant's own mail transport (SMTP or SES in the home region); a mail server the outbound policy refuses (e.g. one that now resolves to a private address) is a 409 naming the check, a refusal by the server a 503 naming its code (hosts) */
        post: operations["sendInvitations"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/join": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Join a meeting: a media token for its room, or a waiting-room ticket (guests: their own meeting only, always by way of the waiting room) */
        post: operations["joinMeeting"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A standard-mode epoch's media key, for participants (never for removed ones) */
        get: operations["getMediaKey"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/lobby/{ticket}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Poll a waiting-room ticket (its owner only) */
        get: operations["pollLobbyTicket"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/lobby": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who is waiting (hosts) */
        get: operations["listLobby"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/lobby/{ticket}/admit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Admit a waiting participant (hosts) */
        post: operations["admitFromLobby"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/lobby/{ticket}/deny": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Turn a waiting participant away (hosts) */
        post: operations["denyFromLobby"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/lock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Lock the meeting: nobody new is admitted (hosts) */
        post: operations["lockMeeting"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/unlock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Unlock the meeting (hosts) */
        post: operations["unlockMeeting"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/participants/{participantId}/remove": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Remove a participant from the main room and every breakout; they get no new token or key for this meeting and a new key epoch starts in every room (hosts) */
        post: operations["removeParticipant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/participants/{participantId}/mute": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mute or unmute one of a participant's tracks (hosts) */
        post: operations["muteParticipant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/end": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End the meeting for everyone: the main room and every breakout room are deleted and further joins are refused (hosts) */
        post: operations["endMeeting"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/attendance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who joined and left when, by per-meeting pseudonym (hosts) */
        get: operations["listAttendance"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/media/clusters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The LiveKit clusters the site places meetings on (its own, then other sites' for failover), their status, health and load */
        get: operations["listMediaClusters"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/media/clusters/{clusterId}/drain": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Drain a media cluster: no new meeting is placed on it; its live rooms run on */
        post: operations["drainMediaCluster"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/media/clusters/{clusterId}/undrain": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Put a drained media cluster back into service */
        post: operations["undrainMediaCluster"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/media/livekit/webhook": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** LiveKit events, signed with a cluster's key (verified on the raw body before anything else); events about rooms another site placed are ignored */
        post: operations["receiveLivekitWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Register a device's public keys for end-to-end meetings (self-signed; the server verifies the signature). A device id is unique in the tenant: registering one that is taken, by another user or with other keys, is 409; the same registration again by its owner is 201 and refreshes it */
        post: operations["registerDevice"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The devices bound to the meeting now — of participants admitted, present (joined and not yet left) and not removed — for the host's client to seal the epoch key to (the meeting's host only, not other admins) */
        get: operations["listMeetingDevices"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/epochs/{epoch}/envelopes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Upload one sealed media-key envelope per bound device for the current epoch (the meeting's host only, from a device they joined with); envelopes for devices not bound now are refused; the server checks shape, size and recipients, never contents */
        put: operations["uploadKeyEnvelopes"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/epochs/{epoch}/envelope": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Fetch the caller's own envelope for an epoch, for the device they joined with while it is bound (never after leaving or removal); 404 until the host's client has sealed it, 409 naming `currentEpoch` for an epoch that is over */
        get: operations["getKeyEnvelope"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/devices/{deviceId}/registration": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed registration of a device bound to the meeting (e.g. an envelope's sender), for admitted participants to verify envelopes without trusting on first use */
        get: operations["getDeviceRegistration"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/encryption/upgrade": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Turn a standard meeting end-to-end, during the meeting too; nothing turns it back (hosts) */
        post: operations["upgradeMeetingEncryption"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/breakouts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The meeting's breakout plan (hosts) */
        get: operations["getBreakoutPlan"];
        /** Plan breakouts: named rooms with assignments, or split N ways (evenly, randomly, or by choice) (hosts) */
        put: operations["planBreakouts"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/breakouts/open": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Open the drafted breakouts: a room each on the main room's node (hosts) */
        post: operations["openBreakouts"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/breakouts/move": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Move a participant into another open breakout; they are disconnected from the room they were in (hosts) */
        post: operations["moveToBreakout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/breakouts/choose": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pick a breakout yourself, where the host lets participants choose */
        post: operations["chooseBreakout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/breakouts/mine": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where the caller belongs now: their breakout with a token for it, or the main room (end-to-end meetings: for the device named) */
        get: operations["getMyBreakout"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/breakouts/{breakoutId}/visit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A token for a host to visit an open breakout, visibly: it marks them as host to everyone there (hosts) */
        get: operations["visitBreakout"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/breakouts/broadcast": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A short message and an optional countdown to every open breakout (ciphertext in end-to-end meetings) (hosts) */
        post: operations["broadcastToBreakouts"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/breakouts/close": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Close the breakouts, after a countdown if given: everyone returns to the main room (hosts) */
        post: operations["closeBreakouts"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/breakouts/{breakoutId}/epochs/{epoch}/envelopes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** End-to-end meetings: one sealed key per device for a breakout's own key scope (hosts) */
        put: operations["uploadBreakoutKeyEnvelopes"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/breakouts/{breakoutId}/epochs/{epoch}/envelope": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** End-to-end meetings: the caller's envelope of a breakout's key (its members and hosts) */
        get: operations["getBreakoutKeyEnvelope"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settings/organisation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organisation as its admins see it: home and allowed sites, where its data and its media are, its key (mode, ARN, rotation), its plan, and per data class the sites that hold it and its retention (admins) */
        get: operations["getOrganisationOverview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settings/retention": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How long each class of the tenant's records is kept, in days, and the bounds it may choose within (admins) */
        get: operations["getRetentionSettings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change retention periods within their bounds; new records follow them (admins) */
        patch: operations["updateRetentionSettings"];
        trace?: never;
    };
    "/v1/settings/mail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's own mail transport for invitations and advisories: its SMTP server (never the password) or Amazon SES in the home site's region (admins) */
        get: operations["getMailSettings"];
        /** Set the tenant's mail transport: its own SMTP server (the default; TLS required, except to loopback on the local stage; its host must be, and resolve only to, public addresses — loopback too on the local stage — checked when set, naming the check, e.g. `resolves to a private address`, and again at every connection, which goes to the address checked), or `transport: 'ses'` — Amazon SES, always called in the home site's own region and never in another; mail is sent only through it (admins) */
        put: operations["setMailSettings"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settings/mail/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send one test message through the tenant's mail transport; refused like an invitation: 409 when no transport is set or the outbound policy refuses its server, 503 naming the server's code (admins) */
        post: operations["sendTestMail"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settings/security-contacts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where the tenant wants security advisories: its security contacts' addresses and webhook (never the secret) (admins) */
        get: operations["getSecurityContacts"];
        /** Set the security contacts: 1–10 addresses, e-mailed through the tenant’s own mail transport, and optionally a webhook (https; its host must be, and resolve only to, public addresses — checked when set, naming the check, and again at every delivery, which goes to the address checked) whose deliveries are signed with the secret: `Meetplane-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`; sealed under the tenant key, audited (admins) */
        put: operations["setSecurityContacts"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settings/guests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether people invited by e-mail who are not users of the IdP may join as guests (admins) */
        get: operations["getGuestSettings"];
        /** Turn guests on or off (off by default): with guests on, invitations carry a single-use guest link per invitee; turning them off refuses every unused link and every guest token at once; audited (admins) */
        put: operations["setGuestSettings"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/support/grants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's support grants (admins) */
        get: operations["listSupportGrants"];
        put?: never;
        /** Consent to support access for one ticket, scope and time, inside or also outside the EU (admins) */
        post: operations["createSupportGrant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/support/grants/{grantId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a support grant at once (admins) */
        delete: operations["revokeSupportGrant"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/preferences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's communication preferences (off until they opt in) */
        get: operations["getPreferences"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Opt in to or out of product news and marketing */
        patch: operations["updatePreferences"];
        trace?: never;
    };
    "/v1/data-subjects/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Everything this site holds about one user of the tenant, as one JSON document: meetings hosted, invitations (give their address), attendance, devices, preferences, reports, audit entries (admins; audited) */
        post: operations["exportDataSubject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/data-subjects/erase": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Erase one user of the tenant: delete what is theirs, remove them from what is also about others, and report what was done; safe to run again (admins; audited) */
        post: operations["eraseDataSubject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/meetings/{meetingId}/reports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Report abuse in a meeting one may attend, optionally naming the participant and attaching the client's last few seconds (at most 192 KiB; sealed under the tenant's key, kept for the tenant's report retention) */
        post: operations["reportAbuse"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's abuse reports, newest first (admins) */
        get: operations["listAbuseReports"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reports/{reportId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One abuse report with its text (admins) */
        get: operations["getAbuseReport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reports/{reportId}/clip": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A report's clip, base64 (admins; every read is in the audit log) */
        get: operations["getAbuseReportClip"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reports/{reportId}/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resolve an open report with an outcome (admins; audited) */
        post: operations["resolveAbuseReport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/support/tenants/{tenantId}/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Support: a tenant's settings, only under a live grant for the ticket; every use is in the tenant's audit log */
        get: operations["supportGetTenantSettings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/support/tenants/{tenantId}/meetings/{meetingId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Support: a meeting's metadata, only under a live grant for the ticket; every use is audited */
        get: operations["supportGetMeeting"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's audit log, oldest first, optionally only one kind of actor's entries or one action's; a filtered page reads at most 2000 entries, so it may hold fewer than `limit` with a `nextCursor` to go on (admins) */
        get: operations["listAuditEntries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Check every entry of the audit log against its hash chain and its signed heads; report missing, edited and rewritten entries (admins) */
        get: operations["verifyAuditLog"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/heads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign the audit log's head now with the site's audit signing key and keep it (admins) */
        post: operations["signAuditHead"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/signing-key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The public key of the site's audit signing key, to verify signed heads anywhere (admins) */
        get: operations["getAuditSigningKey"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/advisories": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This site's security advisories, newest first (any user of the tenant) */
        get: operations["listAdvisories"];
        put?: never;
        /** Publish a security advisory for this site and deliver it to every active tenant homed here: e-mail to its security contacts through the tenant's own mail transport (none without one), and its signed webhook; one tenant's failure does not stop the others; each tenant's audit log records it. The report carries codes and counts only: a mail server or webhook the outbound policy refuses is `error: 'refused-destination'` with `refused` naming the kind of address (e.g. `loopback`, `private`, `metadata`); connection failures are `unresolvable`, `timeout` or `unreachable`, never a socket's error code */
        post: operations["publishAdvisory"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/guest-links/redeem": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Redeem a guest link from an invitation, once, before it expires: a guest token for that meeting only (tenants that admit guests) */
        post: operations["redeemGuestLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AbuseReport: {
            id: string;
            meetingId: string;
            /** @enum {string} */
            reason: "harassment" | "hate" | "sexual-content" | "violence" | "spam" | "impersonation" | "other";
            /** @enum {string} */
            status: "open" | "resolved";
            createdAt: string;
            participantId?: string;
            clip?: {
                /** @enum {string} */
                contentType: "audio/ogg" | "audio/webm" | "video/webm" | "video/mp4" | "image/png" | "image/jpeg";
                bytes: number;
            };
            /** @enum {string} */
            outcome?: "no-action" | "warned" | "removed-from-meeting" | "account-action";
            resolvedAt?: string;
            details?: string;
            resolutionNote?: string;
        };
        AbuseReportInput: {
            /** @enum {string} */
            reason: "harassment" | "hate" | "sexual-content" | "violence" | "spam" | "impersonation" | "other";
            details?: string;
            participantId?: string;
            clip?: {
                /** @enum {string} */
                contentType: "audio/ogg" | "audio/webm" | "video/webm" | "video/mp4" | "image/png" | "image/jpeg";
                /** Format: base64 */
                data: string;
            };
        };
        AbuseReportPage: {
            items: {
                id: string;
                meetingId: string;
                /** @enum {string} */
                reason: "harassment" | "hate" | "sexual-content" | "violence" | "spam" | "impersonation" | "other";
                /** @enum {string} */
                status: "open" | "resolved";
                createdAt: string;
                participantId?: string;
                clip?: {
                    /** @enum {string} */
                    contentType: "audio/ogg" | "audio/webm" | "video/webm" | "video/mp4" | "image/png" | "image/jpeg";
                    bytes: number;
                };
                /** @enum {string} */
                outcome?: "no-action" | "warned" | "removed-from-meeting" | "account-action";
                resolvedAt?: string;
            }[];
            nextCursor?: string;
        };
        Advisory: {
            id: string;
            site: string;
            publishedAt: string;
            title: string;
            /** @enum {string} */
            severity: "low" | "medium" | "high" | "critical";
            summary: string;
            details?: string;
            cve?: string[];
        };
        AdvisoryInput: {
            title: string;
            /** @enum {string} */
            severity: "low" | "medium" | "high" | "critical";
            summary: string;
            details?: string;
            cve?: string[];
        };
        AdvisoryPage: {
            items: components["schemas"]["Advisory"][];
            nextCursor?: string;
        };
        AdvisoryPublication: {
            advisory: components["schemas"]["Advisory"];
            totals: {
                tenants: number;
                emailSent: number;
                emailSkipped: number;
                emailFailed: number;
                webhookDelivered: number;
                webhookFailed: number;
            };
            deliveries: {
                tenantId: string;
                /** @enum {string} */
                contacts: "settings" | "onboarding" | "none";
                email: {
                    /** @constant */
                    status: "sent";
                    recipients: number;
                } | {
                    /** @constant */
                    status: "skipped";
                    /** @enum {string} */
                    reason: "no-contacts" | "no-mail-server";
                } | {
                    /** @constant */
                    status: "failed";
                    recipients: number;
                    sent: number;
                    /** @description the mail server's reply code (e.g. `550`), SES's error name, or `refused-destination`, `unresolvable`, `timeout`, `unreachable`, `tls`, `auth`, `tenant-unavailable` */
                    error: string;
                    /**
                     * @description with `refused-destination`: the kind of address the outbound policy refused
                     * @enum {string}
                     */
                    refused?: "metadata" | "loopback" | "unspecified" | "private" | "shared" | "link-local" | "unique-local" | "multicast" | "broadcast" | "reserved";
                };
                webhook: {
                    /** @constant */
                    status: "not-configured";
                } | {
                    /** @constant */
                    status: "delivered";
                    httpStatus: number;
                } | {
                    /** @constant */
                    status: "failed";
                    httpStatus?: number;
                    /** @description `rejected` (a non-2xx answer), `redirect`, `refused-destination`, `unresolvable`, `timeout`, `unreachable`, `url-not-allowed`, `tenant-unavailable` */
                    error: string;
                    /**
                     * @description with `refused-destination`: the kind of address the outbound policy refused
                     * @enum {string}
                     */
                    refused?: "metadata" | "loopback" | "unspecified" | "private" | "shared" | "link-local" | "unique-local" | "multicast" | "broadcast" | "reserved";
                };
                /** @constant */
                audited?: false;
            }[];
        };
        AuditEntry: {
            tenantId: string;
            seq: number;
            at: string;
            actor: {
                /** @enum {string} */
                type: "operator" | "user" | "system";
                id: string;
            };
            action: string;
            target: string;
            reason: string;
            legalBasis?: string;
            details?: {
                [key: string]: unknown;
            };
            subjects?: string[];
            prevHash: string;
            personalDigest: string;
            salt?: string;
            redacted?: boolean;
            hash: string;
        };
        AuditPage: {
            items: components["schemas"]["AuditEntry"][];
            nextCursor?: string;
        };
        AuditSigningKey: {
            keyId: string;
            /** @constant */
            algorithm: "ECDSA_SHA_256";
            /** @description The public key, SubjectPublicKeyInfo in PEM */
            publicKeyPem: string;
        };
        AuditVerdict: {
            intact: boolean;
            entries: number;
            /** @description The oldest entry kept when older ones expired */
            retainedFrom?: number;
            expired?: {
                seq: number;
                lastSeq: number;
            }[];
            firstBreak?: {
                /** @enum {string} */
                kind: "missing" | "edited" | "unlinked" | "rewritten" | "redaction" | "forged-head";
                seq: number;
                /** @description The last entry of a range (missing or rewritten entries) */
                lastSeq?: number;
                problem: string;
            };
            breaks: {
                /** @enum {string} */
                kind: "missing" | "edited" | "unlinked" | "rewritten" | "redaction" | "forged-head";
                seq: number;
                /** @description The last entry of a range (missing or rewritten entries) */
                lastSeq?: number;
                problem: string;
            }[];
            /** @description The newest head whose signature verifies */
            signedHead?: components["schemas"]["SignedAuditHead"];
            headsChecked: number;
            /** @description Entries after the newest signed head, checked by the chain only */
            notYetSigned: number;
        };
        BreakoutPlan: {
            /** @enum {string} */
            state: "none" | "draft" | "open" | "closing" | "closed";
            selfSelect: boolean;
            returnAt?: string;
            rooms: {
                id: string;
                name: string;
                members: string[];
                scope: string;
            }[];
        };
        BreakoutPlanInput: {
            rooms: {
                name: string;
                participants: string[];
            }[];
        } | {
            split: {
                count: number;
                /** @enum {string} */
                mode: "even" | "random" | "choice";
            };
        };
        DataSubjectRequest: {
            subject: string;
            /** Format: email */
            email?: string;
        };
        DeviceRegistration: {
            deviceId: string;
            hpkePublicKey: string;
            signingPublicKey: string;
            signature: string;
        };
        DirectoryEntry: {
            tenantId: string;
            slug: string;
            /** @enum {string} */
            homeSite: "fra" | "ams";
            apiUrl: string;
            /** @description how a browser signs the tenant’s users in; absent when the tenant has configured no web client */
            signIn?: {
                /** @description the tenant's OpenID provider (its discovery document is at `{issuer}/.well-known/openid-configuration`) */
                issuer: string;
                /** @description the web app's public client id there (authorization code with PKCE) */
                clientId: string;
                /** @description the audience the API requires of access tokens */
                audience: string;
            };
            /** @description the tenant's web app */
            webUrl: string;
        };
        ErasureReport: {
            tenantId: string;
            startedAt: string;
            completedAt: string;
            erased: {
                [key: string]: number;
            };
            requestRecordsDeleted: number;
            remaining: number;
            notes: string[];
        };
        GuestLinkRedemption: {
            /** @description The guest code from the invitation, sent in the body so that it never appears in a URL or an access log */
            code: string;
            /** @description How the guest wants to be shown; kept only where the organisation shows names, else they appear under a pseudonym */
            displayName: string;
        };
        GuestSession: {
            /** @description A guest bearer token for this meeting only: join, wait, fetch keys, register a device */
            token: string;
            expiresAt: string;
            tenantId: string;
            meetingId: string;
            /** @description The guest’s participant id in the meeting */
            participantId: string;
            /** @description The route to join the meeting with the token (always by way of the waiting room) */
            join: string;
        };
        GuestSettings: {
            enabled: boolean;
            etag: string;
        };
        HealthReport: {
            /** @enum {string} */
            site: "fra" | "ams";
            region: string;
            /** @enum {string} */
            status: "ok" | "degraded";
            dependencies: {
                dynamodb: {
                    /** @enum {string} */
                    status: "up" | "down";
                    latencyMs: number;
                    /** @enum {string} */
                    reason?: "timeout" | "unreachable" | "missing" | "not-usable" | "error";
                };
                kms: {
                    /** @enum {string} */
                    status: "up" | "down";
                    latencyMs: number;
                    /** @enum {string} */
                    reason?: "timeout" | "unreachable" | "missing" | "not-usable" | "error";
                };
                livekit: {
                    /** @enum {string} */
                    status: "up" | "down";
                    latencyMs: number;
                    /** @enum {string} */
                    reason?: "timeout" | "unreachable" | "missing" | "not-usable" | "error";
                };
            };
        };
        IdentityProviderInput: {
            issuer: string;
            /**
             * Format: uri
             * @description https (http only on loopback on the local stage); its host must be, and resolve only to, public addresses (loopback too on the local stage): checked when set, naming the check, and at every key fetch, which goes to the address checked
             */
            jwksUri: string;
            audience: string;
            rolesClaim?: string;
            /** @description the IdP verifies every address it puts in a token; otherwise an `email` claim counts only with `email_verified: true` */
            emailsVerified?: boolean;
            /** @description the web app's public client id at the IdP; the directory tells browsers to sign in with it */
            webClientId?: string;
        };
        JoinOutcome: {
            /** @constant */
            status: "admitted";
            participantId: string;
            /** @enum {string} */
            role: "host" | "participant";
            media: {
                url: string;
                token: string;
            };
            encryption: {
                /** @enum {string} */
                mode: "standard" | "e2ee";
                epoch: number;
                keyIndex: number;
                /** @description standard mode only: the epoch key, base64 (32 bytes) */
                key?: string;
            };
        } | {
            /** @constant */
            status: "waiting";
            ticket: string;
        };
        JoinRequest: {
            passcode?: string;
            displayName?: string;
            /** @description end-to-end meetings: the registered device the key envelopes are for */
            deviceId?: string;
        };
        KeyEnvelope: {
            /** @constant */
            v: 1;
            meetingId: string;
            epoch: number;
            recipientDeviceId: string;
            senderDeviceId: string;
            enc: string;
            ciphertext: string;
            signature: string;
        };
        KeyEnvelopeUpload: {
            envelopes: components["schemas"]["KeyEnvelope"][];
        };
        LiveState: {
            locked: boolean;
            ended: boolean;
            epoch: number;
            site?: string;
            removed: number;
        };
        LobbyStatus: {
            /** @constant */
            status: "admitted";
            participantId: string;
            /** @enum {string} */
            role: "host" | "participant";
            media: {
                url: string;
                token: string;
            };
            encryption: {
                /** @enum {string} */
                mode: "standard" | "e2ee";
                epoch: number;
                keyIndex: number;
                /** @description standard mode only: the epoch key, base64 (32 bytes) */
                key?: string;
            };
        } | {
            /** @enum {string} */
            status: "waiting" | "denied";
        };
        MailSettings: {
            configured: boolean;
            /** @enum {string} */
            transport?: "smtp" | "ses";
            host?: string;
            port?: number;
            secure?: boolean;
            username?: string;
            from?: string;
            /** @description SES only: the home site region SES is called in */
            region?: string;
        };
        MailSettingsInput: {
            /**
             * @description The default
             * @constant
             */
            transport?: "smtp";
            /** @description Must be, and resolve only to, public addresses (loopback only on the local stage) */
            host: string;
            port: number;
            secure: boolean;
            username?: string;
            password?: string;
            /** Format: email */
            from: string;
        } | {
            /**
             * @description Amazon SES, always in the home site's own region
             * @constant
             */
            transport: "ses";
            /**
             * Format: email
             * @description An identity verified in SES in the home site's region
             */
            from: string;
        };
        MailTestResult: {
            /** @constant */
            sent: true;
            /** @enum {string} */
            transport: "smtp" | "ses";
            /** @description SES only: the region it was called in */
            region?: string;
        };
        MediaClusterList: {
            items: {
                id: string;
                site: string;
                endpoints: {
                    url: string;
                    healthy: boolean;
                }[];
                /** @enum {string} */
                status: "active" | "draining";
                healthy: boolean;
                participants: number;
            }[];
        };
        MediaKey: {
            epoch: number;
            keyIndex: number;
            key: string;
        };
        Meeting: {
            id: string;
            title: string;
            description?: string;
            startsAt: string;
            durationMinutes: number;
            timeZone: string;
            recurrence?: string;
            /** @enum {string} */
            encryption: "standard" | "e2ee";
            waitingRoom: boolean;
            features: {
                cloudRecording: boolean;
                transcription: boolean;
                liveStreaming: boolean;
                dialIn: boolean;
            };
            passcodeProtected: boolean;
            /** @description only for the host and admins */
            invitees?: string[];
            /** @enum {string} */
            status: "scheduled" | "cancelled";
            isHost: boolean;
            seriesEndsAt: string;
            createdAt: string;
            updatedAt: string;
            etag: string;
        };
        MeetingChange: {
            /** @example Physics 101 */
            title?: string;
            description?: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 date and time with an offset
             * @example 2026-12-01T09:00:00+01:00
             */
            startsAt?: string;
            durationMinutes?: number;
            /**
             * @description IANA time zone
             * @example Europe/Berlin
             */
            timeZone?: string;
            recurrence?: string | null;
            /** @enum {string} */
            encryption?: "standard" | "e2ee";
            waitingRoom?: boolean;
            passcode?: string | null;
            invitees?: string[];
            /** @description features that need a server to read the media: refused in end-to-end meetings */
            features?: {
                cloudRecording?: boolean;
                transcription?: boolean;
                liveStreaming?: boolean;
                dialIn?: boolean;
            };
        };
        MeetingInput: {
            /** @example Physics 101 */
            title: string;
            description?: string;
            /**
             * Format: date-time
             * @description ISO-8601 date and time with an offset
             * @example 2026-12-01T09:00:00+01:00
             */
            startsAt: string;
            durationMinutes: number;
            /**
             * @description IANA time zone
             * @example Europe/Berlin
             */
            timeZone: string;
            /**
             * @description RFC 5545 RRULE that ends (COUNT or UNTIL), at most daily
             * @example FREQ=WEEKLY;BYDAY=MO;COUNT=10
             */
            recurrence?: string;
            /**
             * @default standard
             * @enum {string}
             */
            encryption: "standard" | "e2ee";
            /** @default false */
            waitingRoom: boolean;
            passcode?: string;
            invitees?: string[];
            /** @description features that need a server to read the media: refused in end-to-end meetings */
            features?: {
                cloudRecording?: boolean;
                transcription?: boolean;
                liveStreaming?: boolean;
                dialIn?: boolean;
            };
        };
        OccurrencePage: {
            items: {
                meetingId: string;
                title: string;
                startsAt: string;
                endsAt: string;
                timeZone: string;
                recurring: boolean;
                /** @enum {string} */
                encryption: "standard" | "e2ee";
                isHost: boolean;
            }[];
            nextCursor?: string;
        };
        OffboardingReport: {
            tenantId: string;
            /** @constant */
            status: "offboarded";
            recordsDeleted: number;
            /** @constant */
            directoryEntryRemoved: true;
            key: {
                /** @enum {string} */
                mode: "managed" | "customer";
                deletionScheduledFor?: string;
                note?: string;
            };
        };
        OffboardRequest: {
            reason: string;
            legalBasis: string;
            confirmSlug: string;
        };
        OrganisationOverview: {
            tenantId: string;
            slug: string;
            vanityDomain?: string;
            /** @enum {string} */
            status: "active" | "suspended" | "offboarding";
            /** @enum {string} */
            tier: "free" | "education" | "business" | "enterprise";
            homeSite: {
                /** @enum {string} */
                site: "fra" | "ams";
                city: string;
                /** @description The site's AWS region, where this site knows it (its own) */
                region?: string;
            };
            /** @description The other sites that may forward its media when the home site cannot */
            allowedSites: {
                /** @enum {string} */
                site: "fra" | "ams";
                city: string;
                /** @description The site's AWS region, where this site knows it (its own) */
                region?: string;
            }[];
            /** @description Where the tenant's records are: its home site's table, nowhere else */
            data: {
                /** @enum {string} */
                site: "fra" | "ams";
                city: string;
                /** @description The site's AWS region, where this site knows it (its own) */
                region?: string;
            };
            /** @description Where its meetings' media may be forwarded, in the order placement tries them */
            media: {
                /** @enum {string} */
                site: "fra" | "ams";
                city: string;
                /** @description The site's AWS region, where this site knows it (its own) */
                region?: string;
                /** @enum {string} */
                role: "home" | "failover";
            }[];
            key: {
                /** @enum {string} */
                mode: "managed" | "customer";
                keyArn: string;
                /**
                 * @description What KMS says of a managed key's automatic rotation; a customer key's rotation is the tenant's
                 * @enum {string}
                 */
                rotation: "automatic" | "off" | "customer-controlled";
            };
            /** @description Per data class: the sites that hold it and how long */
            residency: {
                /** @enum {string} */
                dataClass: "meetings" | "attendance" | "lobbyTickets" | "abuseReports" | "audit" | "devices" | "settings" | "directory";
                sites: ("fra" | "ams")[];
                region?: string;
                /** @description Absent: kept for as long as the tenant is */
                retentionDays?: number;
                /** @description Whether a tenant admin chooses the period (PATCH /v1/settings/retention) */
                adjustable: boolean;
                /** @description Whether its personal fields are sealed under the tenant's key */
                sealed: boolean;
            }[];
        };
        Preferences: {
            productNews: boolean;
            marketing: boolean;
        };
        Problem: {
            type: string;
            title: string;
            status: number;
            detail?: string;
            requestId: string;
            errors?: {
                /** @enum {string} */
                in: "body" | "query" | "path" | "header";
                field: string;
                message: string;
            }[];
            /** @enum {string} */
            homeSite?: "fra" | "ams";
            apiUrl?: string;
        };
        RetentionChange: {
            meetings?: number;
            attendance?: number;
            lobbyTickets?: number;
            abuseReports?: number;
            audit?: number;
        };
        RetentionSettings: {
            periods: {
                meetings: number;
                attendance: number;
                lobbyTickets: number;
                abuseReports: number;
                audit: number;
            };
            bounds: {
                meetings: {
                    min: number;
                    max: number;
                    default: number;
                };
                attendance: {
                    min: number;
                    max: number;
                    default: number;
                };
                lobbyTickets: {
                    min: number;
                    max: number;
                    default: number;
                };
                abuseReports: {
                    min: number;
                    max: number;
                    default: number;
                };
                audit: {
                    min: number;
                    max: number;
                    default: number;
                };
            };
            etag: string;
        };
        SecurityContacts: {
            configured: boolean;
            emails: string[];
            webhook?: {
                url: string;
                secretSet: boolean;
            };
            updatedAt?: string;
        };
        SecurityContactsInput: {
            emails: string[];
            webhook?: {
                /** @description https, to a host that is and resolves only to public addresses; the local stack accepts only loopback addresses */
                url: string;
                /** @description Signs each delivery (HMAC-SHA256); write-only, never shown again */
                secret: string;
            };
        };
        SignedAuditHead: {
            site: string;
            tenantId: string;
            /** @description The sequence number of the newest entry when the head was signed */
            seq: number;
            /** @description That entry's hash */
            hash: string;
            /** @description When that entry was written */
            at: string;
            signedAt: string;
            /** @description The ARN of the KMS key that signed it */
            keyId: string;
            /** @constant */
            algorithm: "ECDSA_SHA_256";
            /** @description DER-encoded ECDSA P-256 signature, base64, over the UTF-8 canonical JSON (keys sorted) of {purpose: "meetplane-audit-head/v1", site, tenantId, seq, hash, at, signedAt} */
            signature: string;
        };
        SubjectExport: {
            tenantId: string;
            site: string;
            generatedAt: string;
            pseudonyms: {
                userRef: string;
                emailRef?: string;
            };
            erasure?: {
                startedAt: string;
                completedAt?: string;
            };
            meetingsHosted: {
                [key: string]: unknown;
            }[];
            invitations: {
                [key: string]: unknown;
            }[];
            attendance: {
                [key: string]: unknown;
            }[];
            lobbyTickets: {
                [key: string]: unknown;
            }[];
            passcodeAttempts: {
                [key: string]: unknown;
            }[];
            admissions: {
                [key: string]: unknown;
            }[];
            devices: {
                [key: string]: unknown;
            }[];
            meetingDevices: {
                [key: string]: unknown;
            }[];
            keyEnvelopes: {
                [key: string]: unknown;
            }[];
            removals: {
                [key: string]: unknown;
            }[];
            breakoutAssignments: {
                [key: string]: unknown;
            }[];
            preferences?: {
                productNews: boolean;
                marketing: boolean;
            };
            reportsFiled: {
                [key: string]: unknown;
            }[];
            reportsAbout: {
                [key: string]: unknown;
            }[];
            auditEntries: {
                [key: string]: unknown;
            }[];
            guestLinks: {
                [key: string]: unknown;
            }[];
            recordsOfHostedMeetings: number;
            requestRecords: number;
        };
        SupportGrant: {
            id: string;
            ticketId: string;
            scopes: ("settings:read" | "meetings:read")[];
            expiresAt: string;
            allowOutsideEu: boolean;
            createdAt: string;
            revoked: boolean;
        };
        SupportGrantInput: {
            ticketId: string;
            scopes: ("settings:read" | "meetings:read")[];
            /** Format: date-time */
            expiresAt: string;
            allowOutsideEu: boolean;
        };
        Tenant: {
            id: string;
            slug: string;
            vanityDomain?: string;
            /** @enum {string} */
            homeSite: "fra" | "ams";
            allowedSites: ("fra" | "ams")[];
            /** @enum {string} */
            tier: "free" | "education" | "business" | "enterprise";
            /** @enum {string} */
            status: "active" | "suspended" | "offboarding";
            suspension?: {
                reason: string;
                legalBasis: string;
                at: string;
            };
            idp: {
                issuer: string;
                jwksUri: string;
                audience: string;
                rolesClaim: string;
                emailsVerified?: boolean;
                webClientId?: string;
            };
            /** @description the tenant's own web app base URL; the site's default when absent */
            webUrl?: string;
            key: {
                /** @enum {string} */
                mode: "managed" | "customer";
                keyArn: string;
            };
            displayNames: boolean;
            /** @description whether guests may join (tenant admins turn it on at PUT /v1/settings/guests) */
            guests: boolean;
            securityContacts: {
                email: string;
                name?: string;
            }[];
            createdAt: string;
            updatedAt: string;
            etag: string;
        };
        TenantChange: {
            slug?: string;
            vanityDomain?: string | null;
            allowedSites?: ("fra" | "ams")[];
            /** @enum {string} */
            tier?: "free" | "education" | "business" | "enterprise";
            idp?: {
                issuer?: string;
                /**
                 * Format: uri
                 * @description https (http only on loopback on the local stage); its host must be, and resolve only to, public addresses (loopback too on the local stage): checked when set, naming the check, and at every key fetch, which goes to the address checked
                 */
                jwksUri?: string;
                audience?: string;
                rolesClaim?: string;
                /** @description the IdP verifies every address it puts in a token; otherwise an `email` claim counts only with `email_verified: true` */
                emailsVerified?: boolean;
                /** @description null removes it */
                webClientId?: string | null;
            };
            /** @description null returns to the site default */
            webUrl?: string | null;
            securityContacts?: {
                /** Format: email */
                email: string;
                name?: string;
            }[];
            displayNames?: boolean;
            reason?: string;
        };
        TenantInput: {
            slug: string;
            vanityDomain?: string;
            /** @enum {string} */
            homeSite: "fra" | "ams";
            allowedSites?: ("fra" | "ams")[];
            /** @enum {string} */
            tier: "free" | "education" | "business" | "enterprise";
            idp: components["schemas"]["IdentityProviderInput"];
            /**
             * Format: uri
             * @description the tenant's web app base URL (https on a deployed site): invitations link to `{webUrl}/{slug}/m/{meetingId}` and guests to `{webUrl}/{slug}/guest#{code}`
             */
            webUrl?: string;
            key?: {
                /** @constant */
                mode: "managed";
            } | {
                /** @constant */
                mode: "customer";
                keyArn: string;
            };
            securityContacts?: {
                /** Format: email */
                email: string;
                name?: string;
            }[];
            displayNames?: boolean;
        };
        TenantStatusChange: {
            reason: string;
            legalBasis: string;
        };
    };
    responses: {
        /** @description A field is missing, malformed or unknown; `errors` names each one */
        BadRequest: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No valid credentials (the same answer whichever check failed) */
        Unauthorized: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Authenticated, but not allowed to do this */
        Forbidden: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No such route or resource (also for resources of other tenants) */
        NotFound: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The request conflicts with the current state */
        Conflict: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description It existed, and is no longer valid (an expired link) */
        Gone: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description If-Match names a version that is no longer current */
        PreconditionFailed: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The body is too large */
        PayloadTooLarge: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The body is not application/json */
        UnsupportedMediaType: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The tenant lives on another site; `homeSite` and `apiUrl` say where */
        Misdirected: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The Idempotency-Key was used with a different request */
        Unprocessable: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description If-Match is required */
        PreconditionRequired: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Too many attempts (wrong passcodes); retry after `Retry-After` seconds */
        TooManyAttempts: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Retry-After": components["headers"]["Retry-After"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description A dependency is unavailable; retry after `Retry-After` seconds */
        Unavailable: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Retry-After": components["headers"]["Retry-After"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: {
        /** @description Identifies the request in our logs; quote it when reporting a problem. On every response. */
        "X-Request-Id": string;
        /** @description The resource's version: send it back in If-Match to change it */
        ETag: string;
        /** @description The address of the new resource (on a replay of an idempotent request too) */
        Location: string;
        /** @description Seconds to wait before trying again */
        "Retry-After": string;
        /** @description `true` when this is the first result of an earlier request with the same Idempotency-Key, not a new write */
        "Idempotent-Replayed": "true";
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every dependency is up (503 with the same document when one is down) */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "site": "fra",
                     *       "region": "eu-central-1",
                     *       "status": "ok",
                     *       "dependencies": {
                     *         "dynamodb": {
                     *           "status": "up",
                     *           "latencyMs": 6
                     *         },
                     *         "kms": {
                     *           "status": "up",
                     *           "latencyMs": 11
                     *         },
                     *         "livekit": {
                     *           "status": "up",
                     *           "latencyMs": 9
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["HealthReport"];
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            /** @description A dependency is down: the same report, with `status: degraded` */
            503: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthReport"];
                };
            };
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI 3.1 document */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "openapi": "3.1.0",
                     *       "info": {
                     *         "title": "Meetplane API",
                     *         "version": "1.0.0"
                     *       },
                     *       "paths": {}
                     *     }
                     */
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            503: components["responses"]["Unavailable"];
        };
    };
    lookUpTenant: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slugOrDomain: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tenant id, slug, home site, its API address, its web app and, with a web client, where to sign in */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "tenantId": "tn_5f2b9c1d7e3a4b6c8d0e1f2a",
                     *       "slug": "example-college",
                     *       "homeSite": "fra",
                     *       "apiUrl": "https://api.fra.meet.example.eu",
                     *       "signIn": {
                     *         "issuer": "https://login.example-college.eu/realms/staff",
                     *         "clientId": "meetplane-web",
                     *         "audience": "meetplane"
                     *       },
                     *       "webUrl": "https://meet.example-college.eu"
                     *     }
                     */
                    "application/json": components["schemas"]["DirectoryEntry"];
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            503: components["responses"]["Unavailable"];
        };
    };
    createTenant: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the write safe to retry: a retry with the same key and body returns the first result */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "slug": "example-college",
                 *       "vanityDomain": "meet.example-college.eu",
                 *       "homeSite": "fra",
                 *       "allowedSites": [
                 *         "fra",
                 *         "ams"
                 *       ],
                 *       "tier": "education",
                 *       "idp": {
                 *         "issuer": "https://login.example-college.eu/realms/staff",
                 *         "jwksUri": "https://login.example-college.eu/realms/staff/protocol/openid-connect/certs",
                 *         "audience": "meetplane",
                 *         "webClientId": "meetplane-web"
                 *       },
                 *       "webUrl": "https://meet.example-college.eu",
                 *       "key": {
                 *         "mode": "managed"
                 *       },
                 *       "securityContacts": [
                 *         {
                 *           "email": "security@example-college.eu",
                 *           "name": "IT security office"
                 *         }
                 *       ],
                 *       "displayNames": true
                 *     }
                 */
                "application/json": components["schemas"]["TenantInput"];
            };
        };
        responses: {
            /** @description The new tenant */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    ETag: components["headers"]["ETag"];
                    Location: components["headers"]["Location"];
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "tn_5f2b9c1d7e3a4b6c8d0e1f2a",
                     *       "slug": "example-college",
                     *       "vanityDomain": "meet.example-college.eu",
                     *       "homeSite": "fra",
                     *       "allowedSites": [
                     *         "fra",
                     *         "ams"
                     *       ],
                     *       "tier": "education",
                     *       "status": "active",
                     *       "idp": {
                     *         "issuer": "https://login.example-college.eu/realms/staff",
                     *         "jwksUri": "https://login.example-college.eu/realms/staff/protocol/openid-connect/certs",
                     *         "audience": "meetplane",
                     *         "rolesClaim": "roles",
                     *         "webClientId": "meetplane-web"
                     *       },
                     *       "webUrl": "https://meet.example-college.eu",
                     *       "key": {
                     *         "mode": "managed",
                     *         "keyArn": "arn:aws:kms:eu-central-1:123456789012:key/0f6e2c4a-8b1d-4e7f-9a3c-5d2b7e1f4a6c"
                     *       },
                     *       "displayNames": true,
                     *       "guests": false,
                     *       "securityContacts": [
                     *         {
                     *           "email": "security@example-college.eu",
                     *           "name": "IT security office"
                     *         }
                     *       ],
                     *       "createdAt": "2026-11-20T10:15:00.000Z",
                     *       "updatedAt": "2026-11-20T10:15:00.000Z",
                     *       "etag": "\"v1\""
                     *     }
                     */
                    "application/json": components["schemas"]["Tenant"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            422: components["responses"]["Unprocessable"];
            503: components["responses"]["Unavailable"];
        };
    };
    getTenant: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                tenantId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tenant, with its ETag */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "tn_5f2b9c1d7e3a4b6c8d0e1f2a",
                     *       "slug": "example-college",
                     *       "vanityDomain": "meet.example-college.eu",
                     *       "homeSite": "fra",
                     *       "allowedSites": [
                     *         "fra",
                     *         "ams"
                     *       ],
                     *       "tier": "education",
                     *       "status": "active",
                     *       "idp": {
                     *         "issuer": "https://login.example-college.eu/realms/staff",
                     *         "jwksUri": "https://login.example-college.eu/realms/staff/protocol/openid-connect/certs",
                     *         "audience": "meetplane",
                     *         "rolesClaim": "roles",
                     *         "webClientId": "meetplane-web"
                     *       },
                     *       "webUrl": "https://meet.example-college.eu",
                     *       "key": {
                     *         "mode": "managed",
                     *         "keyArn": "arn:aws:kms:eu-central-1:123456789012:key/0f6e2c4a-8b1d-4e7f-9a3c-5d2b7e1f4a6c"
                     *       },
                     *       "displayNames": true,
                     *       "guests": false,
                     *       "securityContacts": [
                     *         {
                     *           "email": "security@example-college.eu",
                     *           "name": "IT security office"
                     *         }
                     *       ],
                     *       "createdAt": "2026-11-20T10:15:00.000Z",
                     *       "updatedAt": "2026-11-20T10:15:00.000Z",
                     *       "etag": "\"v1\""
                     *     }
                     */
                    "application/json": components["schemas"]["Tenant"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    updateTenant: {
        parameters: {
            query?: never;
            header: {
                /** @description The ETag of the last read, so that a change made meanwhile is not overwritten */
                "If-Match": string;
            };
            path: {
                tenantId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "tier": "business",
                 *       "reason": "Plan changed at the customer’s request"
                 *     }
                 */
                "application/json": components["schemas"]["TenantChange"];
            };
        };
        responses: {
            /** @description The changed tenant */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "tn_5f2b9c1d7e3a4b6c8d0e1f2a",
                     *       "slug": "example-college",
                     *       "vanityDomain": "meet.example-college.eu",
                     *       "homeSite": "fra",
                     *       "allowedSites": [
                     *         "fra",
                     *         "ams"
                     *       ],
                     *       "tier": "business",
                     *       "status": "active",
                     *       "idp": {
                     *         "issuer": "https://login.example-college.eu/realms/staff",
                     *         "jwksUri": "https://login.example-college.eu/realms/staff/protocol/openid-connect/certs",
                     *         "audience": "meetplane",
                     *         "rolesClaim": "roles",
                     *         "webClientId": "meetplane-web"
                     *       },
                     *       "webUrl": "https://meet.example-college.eu",
                     *       "key": {
                     *         "mode": "managed",
                     *         "keyArn": "arn:aws:kms:eu-central-1:123456789012:key/0f6e2c4a-8b1d-4e7f-9a3c-5d2b7e1f4a6c"
                     *       },
                     *       "displayNames": true,
                     *       "guests": false,
                     *       "securityContacts": [
                     *         {
                     *           "email": "security@example-college.eu",
                     *           "name": "IT security office"
                     *         }
                     *       ],
                     *       "createdAt": "2026-11-20T10:15:00.000Z",
                     *       "updatedAt": "2026-11-21T08:02:11.000Z",
                     *       "etag": "\"v2\""
                     *     }
                     */
                    "application/json": components["schemas"]["Tenant"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            428: components["responses"]["PreconditionRequired"];
            503: components["responses"]["Unavailable"];
        };
    };
    suspendTenant: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                tenantId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "reason": "Invoices unpaid after three reminders",
                 *       "legalBasis": "Contract § 9.2 (suspension for non-payment)"
                 *     }
                 */
                "application/json": components["schemas"]["TenantStatusChange"];
            };
        };
        responses: {
            /** @description The suspended tenant */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "tn_5f2b9c1d7e3a4b6c8d0e1f2a",
                     *       "slug": "example-college",
                     *       "vanityDomain": "meet.example-college.eu",
                     *       "homeSite": "fra",
                     *       "allowedSites": [
                     *         "fra",
                     *         "ams"
                     *       ],
                     *       "tier": "education",
                     *       "status": "suspended",
                     *       "idp": {
                     *         "issuer": "https://login.example-college.eu/realms/staff",
                     *         "jwksUri": "https://login.example-college.eu/realms/staff/protocol/openid-connect/certs",
                     *         "audience": "meetplane",
                     *         "rolesClaim": "roles",
                     *         "webClientId": "meetplane-web"
                     *       },
                     *       "webUrl": "https://meet.example-college.eu",
                     *       "key": {
                     *         "mode": "managed",
                     *         "keyArn": "arn:aws:kms:eu-central-1:123456789012:key/0f6e2c4a-8b1d-4e7f-9a3c-5d2b7e1f4a6c"
                     *       },
                     *       "displayNames": true,
                     *       "guests": false,
                     *       "securityContacts": [
                     *         {
                     *           "email": "security@example-college.eu",
                     *           "name": "IT security office"
                     *         }
                     *       ],
                     *       "createdAt": "2026-11-20T10:15:00.000Z",
                     *       "updatedAt": "2026-11-21T08:02:11.000Z",
                     *       "etag": "\"v2\"",
                     *       "suspension": {
                     *         "reason": "Invoices unpaid after three reminders",
                     *         "legalBasis": "Contract § 9.2 (suspension for non-payment)",
                     *         "at": "2026-11-21T08:02:11.000Z"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Tenant"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    reinstateTenant: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                tenantId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "reason": "Invoices settled",
                 *       "legalBasis": "Contract § 9.3 (reinstatement)"
                 *     }
                 */
                "application/json": components["schemas"]["TenantStatusChange"];
            };
        };
        responses: {
            /** @description The reinstated tenant */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "tn_5f2b9c1d7e3a4b6c8d0e1f2a",
                     *       "slug": "example-college",
                     *       "vanityDomain": "meet.example-college.eu",
                     *       "homeSite": "fra",
                     *       "allowedSites": [
                     *         "fra",
                     *         "ams"
                     *       ],
                     *       "tier": "education",
                     *       "status": "active",
                     *       "idp": {
                     *         "issuer": "https://login.example-college.eu/realms/staff",
                     *         "jwksUri": "https://login.example-college.eu/realms/staff/protocol/openid-connect/certs",
                     *         "audience": "meetplane",
                     *         "rolesClaim": "roles",
                     *         "webClientId": "meetplane-web"
                     *       },
                     *       "webUrl": "https://meet.example-college.eu",
                     *       "key": {
                     *         "mode": "managed",
                     *         "keyArn": "arn:aws:kms:eu-central-1:123456789012:key/0f6e2c4a-8b1d-4e7f-9a3c-5d2b7e1f4a6c"
                     *       },
                     *       "displayNames": true,
                     *       "guests": false,
                     *       "securityContacts": [
                     *         {
                     *           "email": "security@example-college.eu",
                     *           "name": "IT security office"
                     *         }
                     *       ],
                     *       "createdAt": "2026-11-20T10:15:00.000Z",
                     *       "updatedAt": "2026-11-21T08:02:11.000Z",
                     *       "etag": "\"v3\""
                     *     }
                     */
                    "application/json": components["schemas"]["Tenant"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    offboardTenant: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the write safe to retry: a retry with the same key and body returns the first result */
                "Idempotency-Key"?: string;
            };
            path: {
                tenantId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "reason": "Contract ended",
                 *       "legalBasis": "Contract § 12 (termination)",
                 *       "confirmSlug": "example-college"
                 *     }
                 */
                "application/json": components["schemas"]["OffboardRequest"];
            };
        };
        responses: {
            /** @description What was done */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "tenantId": "tn_5f2b9c1d7e3a4b6c8d0e1f2a",
                     *       "status": "offboarded",
                     *       "recordsDeleted": 1834,
                     *       "directoryEntryRemoved": true,
                     *       "key": {
                     *         "mode": "managed",
                     *         "deletionScheduledFor": "2026-12-28T08:02:11.000Z"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["OffboardingReport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            422: components["responses"]["Unprocessable"];
            503: components["responses"]["Unavailable"];
        };
    };
    listMeetings: {
        parameters: {
            query: {
                /** @description ISO-8601 date and time with an offset */
                from: string;
                /** @description ISO-8601 date and time with an offset */
                to: string;
                cursor?: string;
                limit?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of occurrences, ordered by start */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "meetingId": "mt_8c1e4a7b2d5f9e3c6a0b1d4e",
                     *           "title": "Weekly sync",
                     *           "startsAt": "2026-12-07T09:00:00+01:00",
                     *           "endsAt": "2026-12-07T09:30:00+01:00",
                     *           "timeZone": "Europe/Berlin",
                     *           "recurring": true,
                     *           "encryption": "standard",
                     *           "isHost": true
                     *         }
                     *       ],
                     *       "nextCursor": "MjAyNi0xMi0wN1QwOTowMDowMCswMTowMHxtdF84YzFlNGE3YjJkNWY5ZTNjNmEwYjFkNGU"
                     *     }
                     */
                    "application/json": components["schemas"]["OccurrencePage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    createMeeting: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the write safe to retry: a retry with the same key and body returns the first result */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "title": "Weekly sync",
                 *       "description": "Where the migration stands, and what blocks it",
                 *       "startsAt": "2026-12-07T09:00:00+01:00",
                 *       "durationMinutes": 30,
                 *       "timeZone": "Europe/Berlin",
                 *       "recurrence": "FREQ=WEEKLY;COUNT=10",
                 *       "waitingRoom": true,
                 *       "invitees": [
                 *         "alex@example.org",
                 *         "sam@example.org"
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["MeetingInput"];
            };
        };
        responses: {
            /** @description The new meeting */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    ETag: components["headers"]["ETag"];
                    Location: components["headers"]["Location"];
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "mt_8c1e4a7b2d5f9e3c6a0b1d4e",
                     *       "title": "Weekly sync",
                     *       "description": "Where the migration stands, and what blocks it",
                     *       "startsAt": "2026-12-07T09:00:00+01:00",
                     *       "durationMinutes": 30,
                     *       "timeZone": "Europe/Berlin",
                     *       "recurrence": "FREQ=WEEKLY;COUNT=10",
                     *       "encryption": "standard",
                     *       "waitingRoom": true,
                     *       "features": {
                     *         "cloudRecording": false,
                     *         "transcription": false,
                     *         "liveStreaming": false,
                     *         "dialIn": false
                     *       },
                     *       "passcodeProtected": false,
                     *       "invitees": [
                     *         "alex@example.org",
                     *         "sam@example.org"
                     *       ],
                     *       "status": "scheduled",
                     *       "isHost": true,
                     *       "seriesEndsAt": "2027-02-08T08:30:00.000Z",
                     *       "createdAt": "2026-11-20T10:15:00.000Z",
                     *       "updatedAt": "2026-11-20T10:15:00.000Z",
                     *       "etag": "\"v1\""
                     *     }
                     */
                    "application/json": components["schemas"]["Meeting"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            422: components["responses"]["Unprocessable"];
            503: components["responses"]["Unavailable"];
        };
    };
    getMeeting: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The meeting, with its ETag */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "mt_8c1e4a7b2d5f9e3c6a0b1d4e",
                     *       "title": "Weekly sync",
                     *       "description": "Where the migration stands, and what blocks it",
                     *       "startsAt": "2026-12-07T09:00:00+01:00",
                     *       "durationMinutes": 30,
                     *       "timeZone": "Europe/Berlin",
                     *       "recurrence": "FREQ=WEEKLY;COUNT=10",
                     *       "encryption": "standard",
                     *       "waitingRoom": true,
                     *       "features": {
                     *         "cloudRecording": false,
                     *         "transcription": false,
                     *         "liveStreaming": false,
                     *         "dialIn": false
                     *       },
                     *       "passcodeProtected": false,
                     *       "invitees": [
                     *         "alex@example.org",
                     *         "sam@example.org"
                     *       ],
                     *       "status": "scheduled",
                     *       "isHost": true,
                     *       "seriesEndsAt": "2027-02-08T08:30:00.000Z",
                     *       "createdAt": "2026-11-20T10:15:00.000Z",
                     *       "updatedAt": "2026-11-20T10:15:00.000Z",
                     *       "etag": "\"v1\""
                     *     }
                     */
                    "application/json": components["schemas"]["Meeting"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    cancelMeeting: {
        parameters: {
            query?: {
                reason?: string;
            };
            header?: {
                /** @description The ETag of the last read, so that a change made meanwhile is not overwritten */
                "If-Match"?: string;
            };
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The cancelled meeting */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "mt_8c1e4a7b2d5f9e3c6a0b1d4e",
                     *       "title": "Weekly sync",
                     *       "description": "Where the migration stands, and what blocks it",
                     *       "startsAt": "2026-12-07T09:00:00+01:00",
                     *       "durationMinutes": 30,
                     *       "timeZone": "Europe/Berlin",
                     *       "recurrence": "FREQ=WEEKLY;COUNT=10",
                     *       "encryption": "standard",
                     *       "waitingRoom": true,
                     *       "features": {
                     *         "cloudRecording": false,
                     *         "transcription": false,
                     *         "liveStreaming": false,
                     *         "dialIn": false
                     *       },
                     *       "passcodeProtected": false,
                     *       "invitees": [
                     *         "alex@example.org",
                     *         "sam@example.org"
                     *       ],
                     *       "status": "cancelled",
                     *       "isHost": true,
                     *       "seriesEndsAt": "2027-02-08T08:30:00.000Z",
                     *       "createdAt": "2026-11-20T10:15:00.000Z",
                     *       "updatedAt": "2026-11-21T08:02:11.000Z",
                     *       "etag": "\"v2\""
                     *     }
                     */
                    "application/json": components["schemas"]["Meeting"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    updateMeeting: {
        parameters: {
            query?: never;
            header: {
                /** @description The ETag of the last read, so that a change made meanwhile is not overwritten */
                "If-Match": string;
            };
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "durationMinutes": 45,
                 *       "passcode": "blue-heron-42"
                 *     }
                 */
                "application/json": components["schemas"]["MeetingChange"];
            };
        };
        responses: {
            /** @description The changed meeting */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "mt_8c1e4a7b2d5f9e3c6a0b1d4e",
                     *       "title": "Weekly sync",
                     *       "description": "Where the migration stands, and what blocks it",
                     *       "startsAt": "2026-12-07T09:00:00+01:00",
                     *       "durationMinutes": 45,
                     *       "timeZone": "Europe/Berlin",
                     *       "recurrence": "FREQ=WEEKLY;COUNT=10",
                     *       "encryption": "standard",
                     *       "waitingRoom": true,
                     *       "features": {
                     *         "cloudRecording": false,
                     *         "transcription": false,
                     *         "liveStreaming": false,
                     *         "dialIn": false
                     *       },
                     *       "passcodeProtected": true,
                     *       "invitees": [
                     *         "alex@example.org",
                     *         "sam@example.org"
                     *       ],
                     *       "status": "scheduled",
                     *       "isHost": true,
                     *       "seriesEndsAt": "2027-02-08T08:30:00.000Z",
                     *       "createdAt": "2026-11-20T10:15:00.000Z",
                     *       "updatedAt": "2026-11-21T08:02:11.000Z",
                     *       "etag": "\"v2\""
                     *     }
                     */
                    "application/json": components["schemas"]["Meeting"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            428: components["responses"]["PreconditionRequired"];
            503: components["responses"]["Unavailable"];
        };
    };
    getMeetingCalendar: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An RFC 5545 calendar */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example BEGIN:VCALENDAR
                     *     VERSION:2.0
                     *     PRODID:-//Meetplane//EN
                     *     BEGIN:VEVENT
                     *     UID:mt_8c1e4a7b2d5f9e3c6a0b1d4e
                     *     DTSTART;TZID=Europe/Berlin:20261207T090000
                     *     DURATION:PT30M
                     *     RRULE:FREQ=WEEKLY;COUNT=10
                     *     SUMMARY:Weekly sync
                     *     END:VEVENT
                     *     END:VCALENDAR
                     */
                    "text/calendar": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    sendInvitations: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the write safe to retry: a retry with the same key and body returns the first result */
                "Idempotency-Key"?: string;
            };
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description How many were sent */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sent": 2
                     *     }
                     */
                    "application/json": {
                        sent: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            422: components["responses"]["Unprocessable"];
            503: components["responses"]["Unavailable"];
        };
    };
    joinMeeting: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "passcode": "blue-heron-42",
                 *       "displayName": "Alex"
                 *     }
                 */
                "application/json": components["schemas"]["JoinRequest"];
            };
        };
        responses: {
            /** @description Admitted with media, or waiting with a ticket */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "admitted",
                     *       "participantId": "p_Q2x4dHJhc3RhbmRhcmRwYXJ0aWNpcGFu",
                     *       "role": "participant",
                     *       "media": {
                     *         "url": "wss://media-fra-1.meet.example.eu",
                     *         "token": "eyJhbGciOiJIUzI1NiJ9.eyJ2aWRlbyI6eyJyb29tIjoicm1fIn19.c2lnbmF0dXJl"
                     *       },
                     *       "encryption": {
                     *         "mode": "standard",
                     *         "epoch": 2,
                     *         "keyIndex": 2,
                     *         "key": "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["JoinOutcome"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            429: components["responses"]["TooManyAttempts"];
            503: components["responses"]["Unavailable"];
        };
    };
    getMediaKey: {
        parameters: {
            query: {
                epoch: string;
            };
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The key, base64, and its slot in the key ring */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "epoch": 2,
                     *       "keyIndex": 2,
                     *       "key": "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="
                     *     }
                     */
                    "application/json": components["schemas"]["MediaKey"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    pollLobbyTicket: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
                ticket: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Still waiting, denied, or admitted with media */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "waiting"
                     *     }
                     */
                    "application/json": components["schemas"]["LobbyStatus"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    listLobby: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The waiting tickets */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "ticket": "lt_3b7d1f5a9c2e4b6d8f0a1c3e",
                     *           "since": "2026-11-21T08:02:11.000Z",
                     *           "displayName": "Alex"
                     *         },
                     *         {
                     *           "ticket": "lt_9f1a3c5e7b2d4f6a8c0e2b4d",
                     *           "since": "2026-11-21T08:02:11.000Z",
                     *           "displayName": "Robin (guest)",
                     *           "guest": true
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        items: {
                            ticket: string;
                            since: string;
                            displayName?: string;
                            /**
                             * @description they came by a guest link, not through the organisation’s sign-in
                             * @constant
                             */
                            guest?: true;
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    admitFromLobby: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
                ticket: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Admitted; their next poll carries media */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    denyFromLobby: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
                ticket: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Denied */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    lockMeeting: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The live state */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "locked": true,
                     *       "ended": false,
                     *       "epoch": 2,
                     *       "site": "fra",
                     *       "removed": 0
                     *     }
                     */
                    "application/json": components["schemas"]["LiveState"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    unlockMeeting: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The live state */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "locked": false,
                     *       "ended": false,
                     *       "epoch": 2,
                     *       "site": "fra",
                     *       "removed": 0
                     *     }
                     */
                    "application/json": components["schemas"]["LiveState"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    removeParticipant: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
                participantId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The live state */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "locked": false,
                     *       "ended": false,
                     *       "epoch": 3,
                     *       "site": "fra",
                     *       "removed": 1
                     *     }
                     */
                    "application/json": components["schemas"]["LiveState"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    muteParticipant: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
                participantId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "trackSid": "TR_AMkTbXg4N3aQ",
                 *       "muted": true
                 *     }
                 */
                "application/json": {
                    trackSid: string;
                    muted: boolean;
                };
            };
        };
        responses: {
            /** @description Done */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    endMeeting: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The live state */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "locked": false,
                     *       "ended": true,
                     *       "epoch": 2,
                     *       "site": "fra",
                     *       "removed": 0
                     *     }
                     */
                    "application/json": components["schemas"]["LiveState"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    listAttendance: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Attendance records */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "participantId": "p_Q2x4dHJhc3RhbmRhcmRwYXJ0aWNpcGFu",
                     *           "room": "main",
                     *           "joinedAt": "2026-12-07T08:01:12.000Z",
                     *           "leftAt": "2026-12-07T08:29:40.000Z"
                     *         },
                     *         {
                     *           "participantId": "p_R3Vlc3RwYXJ0aWNpcGFudHByZXNlbnRz",
                     *           "room": "main",
                     *           "joinedAt": "2026-12-07T08:03:05.000Z"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        items: {
                            participantId: string;
                            room: string;
                            joinedAt?: string;
                            leftAt?: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    listMediaClusters: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The clusters */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "fra-a",
                     *           "site": "fra",
                     *           "endpoints": [
                     *             {
                     *               "url": "wss://media-fra.meet.example.eu",
                     *               "healthy": true
                     *             }
                     *           ],
                     *           "status": "active",
                     *           "healthy": true,
                     *           "participants": 42
                     *         },
                     *         {
                     *           "id": "ams-a",
                     *           "site": "ams",
                     *           "endpoints": [
                     *             {
                     *               "url": "wss://media-ams.meet.example.eu",
                     *               "healthy": true
                     *             }
                     *           ],
                     *           "status": "active",
                     *           "healthy": true,
                     *           "participants": 17
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["MediaClusterList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    drainMediaCluster: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                clusterId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The clusters */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "fra-a",
                     *           "site": "fra",
                     *           "endpoints": [
                     *             {
                     *               "url": "wss://media-fra.meet.example.eu",
                     *               "healthy": true
                     *             }
                     *           ],
                     *           "status": "draining",
                     *           "healthy": true,
                     *           "participants": 42
                     *         },
                     *         {
                     *           "id": "ams-a",
                     *           "site": "ams",
                     *           "endpoints": [
                     *             {
                     *               "url": "wss://media-ams.meet.example.eu",
                     *               "healthy": true
                     *             }
                     *           ],
                     *           "status": "active",
                     *           "healthy": true,
                     *           "participants": 17
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["MediaClusterList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    undrainMediaCluster: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                clusterId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The clusters */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "fra-a",
                     *           "site": "fra",
                     *           "endpoints": [
                     *             {
                     *               "url": "wss://media-fra.meet.example.eu",
                     *               "healthy": true
                     *             }
                     *           ],
                     *           "status": "active",
                     *           "healthy": true,
                     *           "participants": 42
                     *         },
                     *         {
                     *           "id": "ams-a",
                     *           "site": "ams",
                     *           "endpoints": [
                     *             {
                     *               "url": "wss://media-ams.meet.example.eu",
                     *               "healthy": true
                     *             }
                     *           ],
                     *           "status": "active",
                     *           "healthy": true,
                     *           "participants": 17
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["MediaClusterList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    receiveLivekitWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Received */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "received": true
                     *     }
                     */
                    "application/json": {
                        received: boolean;
                        duplicate?: boolean;
                        ignored?: boolean;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    registerDevice: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "deviceId": "dv_alex-phone",
                 *       "hpkePublicKey": "ERERERERERERERERERERERERERERERERERERERERERE",
                 *       "signingPublicKey": "IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI",
                 *       "signature": "MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMw"
                 *     }
                 */
                "application/json": components["schemas"]["DeviceRegistration"];
            };
        };
        responses: {
            /** @description Registered (or the same registration refreshed) */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "deviceId": "dv_alex-phone",
                     *       "registered": true
                     *     }
                     */
                    "application/json": {
                        deviceId: string;
                        /** @constant */
                        registered: true;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    listMeetingDevices: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Device registrations by participant, and the current epoch */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "epoch": 3,
                     *       "items": [
                     *         {
                     *           "participantId": "p_Q2x4dHJhc3RhbmRhcmRwYXJ0aWNpcGFu",
                     *           "registration": {
                     *             "deviceId": "dv_alex-phone",
                     *             "hpkePublicKey": "ERERERERERERERERERERERERERERERERERERERERERE",
                     *             "signingPublicKey": "IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI",
                     *             "signature": "MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMw"
                     *           }
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        epoch: number;
                        items: {
                            participantId: string;
                            registration: components["schemas"]["DeviceRegistration"];
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    uploadKeyEnvelopes: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
                epoch: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "envelopes": [
                 *         {
                 *           "v": 1,
                 *           "meetingId": "mt_8c1e4a7b2d5f9e3c6a0b1d4e",
                 *           "epoch": 3,
                 *           "recipientDeviceId": "dv_alex-phone",
                 *           "senderDeviceId": "dv_host-laptop",
                 *           "enc": "REREREREREREREREREREREREREREREREREREREREREQ",
                 *           "ciphertext": "VVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVV",
                 *           "signature": "ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZg"
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["KeyEnvelopeUpload"];
            };
        };
        responses: {
            /** @description Stored */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    getKeyEnvelope: {
        parameters: {
            query: {
                deviceId: string;
            };
            header?: never;
            path: {
                meetingId: string;
                epoch: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The envelope sealed to this device */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "v": 1,
                     *       "meetingId": "mt_8c1e4a7b2d5f9e3c6a0b1d4e",
                     *       "epoch": 3,
                     *       "recipientDeviceId": "dv_alex-phone",
                     *       "senderDeviceId": "dv_host-laptop",
                     *       "enc": "REREREREREREREREREREREREREREREREREREREREREQ",
                     *       "ciphertext": "VVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVV",
                     *       "signature": "ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZg"
                     *     }
                     */
                    "application/json": components["schemas"]["KeyEnvelope"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    getDeviceRegistration: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
                deviceId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The device's participant and self-signed registration */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "participantId": "p_Q2x4dHJhc3RhbmRhcmRwYXJ0aWNpcGFu",
                     *       "registration": {
                     *         "deviceId": "dv_host-laptop",
                     *         "hpkePublicKey": "ERERERERERERERERERERERERERERERERERERERERERE",
                     *         "signingPublicKey": "IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI",
                     *         "signature": "MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMw"
                     *       }
                     *     }
                     */
                    "application/json": {
                        participantId: string;
                        /** @description the device's self-signed registration: check it with verifyDeviceRegistration */
                        registration: components["schemas"]["DeviceRegistration"];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    upgradeMeetingEncryption: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The meeting, now end-to-end, with its new epoch */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "mt_8c1e4a7b2d5f9e3c6a0b1d4e",
                     *       "title": "Weekly sync",
                     *       "description": "Where the migration stands, and what blocks it",
                     *       "startsAt": "2026-12-07T09:00:00+01:00",
                     *       "durationMinutes": 30,
                     *       "timeZone": "Europe/Berlin",
                     *       "recurrence": "FREQ=WEEKLY;COUNT=10",
                     *       "encryption": "e2ee",
                     *       "waitingRoom": true,
                     *       "features": {
                     *         "cloudRecording": false,
                     *         "transcription": false,
                     *         "liveStreaming": false,
                     *         "dialIn": false
                     *       },
                     *       "passcodeProtected": false,
                     *       "invitees": [
                     *         "alex@example.org",
                     *         "sam@example.org"
                     *       ],
                     *       "status": "scheduled",
                     *       "isHost": true,
                     *       "seriesEndsAt": "2027-02-08T08:30:00.000Z",
                     *       "createdAt": "2026-11-20T10:15:00.000Z",
                     *       "updatedAt": "2026-11-21T08:02:11.000Z",
                     *       "etag": "\"v2\""
                     *     }
                     */
                    "application/json": components["schemas"]["Meeting"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    getBreakoutPlan: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The plan */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "state": "open",
                     *       "selfSelect": false,
                     *       "rooms": [
                     *         {
                     *           "id": "br_4a9c2e7b1d5f",
                     *           "name": "Group A",
                     *           "members": [
                     *             "p_Q2x4dHJhc3RhbmRhcmRwYXJ0aWNpcGFu"
                     *           ],
                     *           "scope": "mt_8c1e4a7b2d5f9e3c6a0b1d4e/br_4a9c2e7b1d5f"
                     *         },
                     *         {
                     *           "id": "br_9e1b5d3f7a2c",
                     *           "name": "Group B",
                     *           "members": [
                     *             "p_R3Vlc3RwYXJ0aWNpcGFudHByZXNlbnRz"
                     *           ],
                     *           "scope": "mt_8c1e4a7b2d5f9e3c6a0b1d4e/br_9e1b5d3f7a2c"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["BreakoutPlan"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    planBreakouts: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "rooms": [
                 *         {
                 *           "name": "Group A",
                 *           "participants": [
                 *             "p_Q2x4dHJhc3RhbmRhcmRwYXJ0aWNpcGFu"
                 *           ]
                 *         },
                 *         {
                 *           "name": "Group B",
                 *           "participants": [
                 *             "p_R3Vlc3RwYXJ0aWNpcGFudHByZXNlbnRz"
                 *           ]
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["BreakoutPlanInput"];
            };
        };
        responses: {
            /** @description The drafted plan */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "state": "draft",
                     *       "selfSelect": false,
                     *       "rooms": [
                     *         {
                     *           "id": "br_4a9c2e7b1d5f",
                     *           "name": "Group A",
                     *           "members": [
                     *             "p_Q2x4dHJhc3RhbmRhcmRwYXJ0aWNpcGFu"
                     *           ],
                     *           "scope": "mt_8c1e4a7b2d5f9e3c6a0b1d4e/br_4a9c2e7b1d5f"
                     *         },
                     *         {
                     *           "id": "br_9e1b5d3f7a2c",
                     *           "name": "Group B",
                     *           "members": [
                     *             "p_R3Vlc3RwYXJ0aWNpcGFudHByZXNlbnRz"
                     *           ],
                     *           "scope": "mt_8c1e4a7b2d5f9e3c6a0b1d4e/br_9e1b5d3f7a2c"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["BreakoutPlan"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    openBreakouts: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The open plan */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "state": "open",
                     *       "selfSelect": false,
                     *       "rooms": [
                     *         {
                     *           "id": "br_4a9c2e7b1d5f",
                     *           "name": "Group A",
                     *           "members": [
                     *             "p_Q2x4dHJhc3RhbmRhcmRwYXJ0aWNpcGFu"
                     *           ],
                     *           "scope": "mt_8c1e4a7b2d5f9e3c6a0b1d4e/br_4a9c2e7b1d5f"
                     *         },
                     *         {
                     *           "id": "br_9e1b5d3f7a2c",
                     *           "name": "Group B",
                     *           "members": [
                     *             "p_R3Vlc3RwYXJ0aWNpcGFudHByZXNlbnRz"
                     *           ],
                     *           "scope": "mt_8c1e4a7b2d5f9e3c6a0b1d4e/br_9e1b5d3f7a2c"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["BreakoutPlan"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    moveToBreakout: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "participantId": "p_Q2x4dHJhc3RhbmRhcmRwYXJ0aWNpcGFu",
                 *       "to": "br_9e1b5d3f7a2c"
                 *     }
                 */
                "application/json": {
                    participantId: string;
                    to: string;
                };
            };
        };
        responses: {
            /** @description The plan */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "state": "open",
                     *       "selfSelect": false,
                     *       "rooms": [
                     *         {
                     *           "id": "br_4a9c2e7b1d5f",
                     *           "name": "Group A",
                     *           "members": [],
                     *           "scope": "mt_8c1e4a7b2d5f9e3c6a0b1d4e/br_4a9c2e7b1d5f"
                     *         },
                     *         {
                     *           "id": "br_9e1b5d3f7a2c",
                     *           "name": "Group B",
                     *           "members": [
                     *             "p_R3Vlc3RwYXJ0aWNpcGFudHByZXNlbnRz",
                     *             "p_Q2x4dHJhc3RhbmRhcmRwYXJ0aWNpcGFu"
                     *           ],
                     *           "scope": "mt_8c1e4a7b2d5f9e3c6a0b1d4e/br_9e1b5d3f7a2c"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["BreakoutPlan"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    chooseBreakout: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "to": "br_4a9c2e7b1d5f"
                 *     }
                 */
                "application/json": {
                    to: string;
                };
            };
        };
        responses: {
            /** @description Moved */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    getMyBreakout: {
        parameters: {
            query?: {
                /** @description end-to-end meetings (required there): the caller's registered device the key envelopes are for; the placement binds it, as a join does */
                deviceId?: string;
            };
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The room to be in, with media (a breakout room LiveKit closed after everyone left is created again) */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "state": "open",
                     *       "breakout": {
                     *         "id": "br_4a9c2e7b1d5f",
                     *         "name": "Group A",
                     *         "scope": "mt_8c1e4a7b2d5f9e3c6a0b1d4e/br_4a9c2e7b1d5f"
                     *       },
                     *       "join": {
                     *         "media": {
                     *           "url": "wss://media-fra-1.meet.example.eu",
                     *           "token": "eyJhbGciOiJIUzI1NiJ9.eyJ2aWRlbyI6eyJyb29tIjoicm1fIn19.c2lnbmF0dXJl"
                     *         },
                     *         "encryption": {
                     *           "mode": "standard",
                     *           "epoch": 2,
                     *           "keyIndex": 2,
                     *           "key": "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": {
                        /** @enum {string} */
                        state: "none" | "draft" | "open" | "closing" | "closed";
                        returnAt?: string;
                        breakout?: {
                            id: string;
                            name: string;
                            scope: string;
                        };
                        join?: {
                            media: {
                                url: string;
                                token: string;
                            };
                            encryption: {
                                /** @enum {string} */
                                mode: "standard" | "e2ee";
                                epoch: number;
                                keyIndex: number;
                                key?: string;
                            };
                        };
                        choices?: {
                            id: string;
                            name: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    visitBreakout: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
                breakoutId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Media for the breakout */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "breakout": {
                     *         "id": "br_4a9c2e7b1d5f",
                     *         "name": "Group A",
                     *         "scope": "mt_8c1e4a7b2d5f9e3c6a0b1d4e/br_4a9c2e7b1d5f"
                     *       },
                     *       "media": {
                     *         "url": "wss://media-fra-1.meet.example.eu",
                     *         "token": "eyJhbGciOiJIUzI1NiJ9.eyJ2aWRlbyI6eyJyb29tIjoicm1fIn19.c2lnbmF0dXJl"
                     *       },
                     *       "encryption": {
                     *         "mode": "standard",
                     *         "epoch": 2,
                     *         "keyIndex": 2,
                     *         "key": "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="
                     *       }
                     *     }
                     */
                    "application/json": {
                        media: {
                            url: string;
                            token: string;
                        };
                        encryption: {
                            /** @enum {string} */
                            mode: "standard" | "e2ee";
                            epoch: number;
                            keyIndex: number;
                            key?: string;
                        };
                        breakout: {
                            id: string;
                            name: string;
                            scope: string;
                        };
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    broadcastToBreakouts: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "message": "Five minutes left, then back to the main room",
                 *       "countdownSeconds": 300
                 *     }
                 */
                "application/json": {
                    message: string;
                    countdownSeconds?: number;
                } | {
                    /** @description end-to-end meetings: the host client encrypts the text */
                    ciphertext: string;
                    countdownSeconds?: number;
                };
            };
        };
        responses: {
            /** @description Sent */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    closeBreakouts: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "countdownSeconds": 60
                 *     }
                 */
                "application/json": {
                    countdownSeconds?: number;
                };
            };
        };
        responses: {
            /** @description The plan, closing or closed */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "state": "closing",
                     *       "selfSelect": false,
                     *       "rooms": [
                     *         {
                     *           "id": "br_4a9c2e7b1d5f",
                     *           "name": "Group A",
                     *           "members": [
                     *             "p_Q2x4dHJhc3RhbmRhcmRwYXJ0aWNpcGFu"
                     *           ],
                     *           "scope": "mt_8c1e4a7b2d5f9e3c6a0b1d4e/br_4a9c2e7b1d5f"
                     *         },
                     *         {
                     *           "id": "br_9e1b5d3f7a2c",
                     *           "name": "Group B",
                     *           "members": [
                     *             "p_R3Vlc3RwYXJ0aWNpcGFudHByZXNlbnRz"
                     *           ],
                     *           "scope": "mt_8c1e4a7b2d5f9e3c6a0b1d4e/br_9e1b5d3f7a2c"
                     *         }
                     *       ],
                     *       "returnAt": "2026-12-07T08:21:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["BreakoutPlan"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    uploadBreakoutKeyEnvelopes: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                meetingId: string;
                breakoutId: string;
                epoch: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "envelopes": [
                 *         {
                 *           "v": 1,
                 *           "meetingId": "mt_8c1e4a7b2d5f9e3c6a0b1d4e-br_4a9c2e7b1d5f",
                 *           "epoch": 0,
                 *           "recipientDeviceId": "dv_alex-phone",
                 *           "senderDeviceId": "dv_host-laptop",
                 *           "enc": "REREREREREREREREREREREREREREREREREREREREREQ",
                 *           "ciphertext": "VVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVV",
                 *           "signature": "ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZg"
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["KeyEnvelopeUpload"];
            };
        };
        responses: {
            /** @description Stored */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    getBreakoutKeyEnvelope: {
        parameters: {
            query: {
                deviceId: string;
            };
            header?: never;
            path: {
                meetingId: string;
                breakoutId: string;
                epoch: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The envelope sealed to this device */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "v": 1,
                     *       "meetingId": "mt_8c1e4a7b2d5f9e3c6a0b1d4e-br_4a9c2e7b1d5f",
                     *       "epoch": 0,
                     *       "recipientDeviceId": "dv_alex-phone",
                     *       "senderDeviceId": "dv_host-laptop",
                     *       "enc": "REREREREREREREREREREREREREREREREREREREREREQ",
                     *       "ciphertext": "VVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVV",
                     *       "signature": "ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZg"
                     *     }
                     */
                    "application/json": components["schemas"]["KeyEnvelope"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    getOrganisationOverview: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The organisation overview */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "tenantId": "tn_5f2b9c1d7e3a4b6c8d0e1f2a",
                     *       "slug": "example-college",
                     *       "vanityDomain": "meet.example-college.eu",
                     *       "status": "active",
                     *       "tier": "education",
                     *       "homeSite": {
                     *         "site": "fra",
                     *         "city": "Frankfurt",
                     *         "region": "eu-central-1"
                     *       },
                     *       "allowedSites": [
                     *         {
                     *           "site": "ams",
                     *           "city": "Amsterdam"
                     *         }
                     *       ],
                     *       "data": {
                     *         "site": "fra",
                     *         "city": "Frankfurt",
                     *         "region": "eu-central-1"
                     *       },
                     *       "media": [
                     *         {
                     *           "site": "fra",
                     *           "city": "Frankfurt",
                     *           "region": "eu-central-1",
                     *           "role": "home"
                     *         },
                     *         {
                     *           "site": "ams",
                     *           "city": "Amsterdam",
                     *           "role": "failover"
                     *         }
                     *       ],
                     *       "key": {
                     *         "mode": "managed",
                     *         "keyArn": "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                     *         "rotation": "automatic"
                     *       },
                     *       "residency": [
                     *         {
                     *           "dataClass": "meetings",
                     *           "sites": [
                     *             "fra"
                     *           ],
                     *           "region": "eu-central-1",
                     *           "retentionDays": 365,
                     *           "adjustable": true,
                     *           "sealed": true
                     *         },
                     *         {
                     *           "dataClass": "attendance",
                     *           "sites": [
                     *             "fra"
                     *           ],
                     *           "region": "eu-central-1",
                     *           "retentionDays": 90,
                     *           "adjustable": true,
                     *           "sealed": false
                     *         },
                     *         {
                     *           "dataClass": "lobbyTickets",
                     *           "sites": [
                     *             "fra"
                     *           ],
                     *           "region": "eu-central-1",
                     *           "retentionDays": 1,
                     *           "adjustable": true,
                     *           "sealed": false
                     *         },
                     *         {
                     *           "dataClass": "abuseReports",
                     *           "sites": [
                     *             "fra"
                     *           ],
                     *           "region": "eu-central-1",
                     *           "retentionDays": 180,
                     *           "adjustable": true,
                     *           "sealed": true
                     *         },
                     *         {
                     *           "dataClass": "audit",
                     *           "sites": [
                     *             "fra"
                     *           ],
                     *           "region": "eu-central-1",
                     *           "retentionDays": 730,
                     *           "adjustable": true,
                     *           "sealed": false
                     *         },
                     *         {
                     *           "dataClass": "devices",
                     *           "sites": [
                     *             "fra"
                     *           ],
                     *           "region": "eu-central-1",
                     *           "retentionDays": 180,
                     *           "adjustable": false,
                     *           "sealed": false
                     *         },
                     *         {
                     *           "dataClass": "settings",
                     *           "sites": [
                     *             "fra"
                     *           ],
                     *           "region": "eu-central-1",
                     *           "adjustable": false,
                     *           "sealed": true
                     *         },
                     *         {
                     *           "dataClass": "directory",
                     *           "sites": [
                     *             "fra",
                     *             "ams"
                     *           ],
                     *           "adjustable": false,
                     *           "sealed": false
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["OrganisationOverview"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    getRetentionSettings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The retention periods, with their ETag */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "periods": {
                     *         "meetings": 365,
                     *         "attendance": 90,
                     *         "lobbyTickets": 1,
                     *         "abuseReports": 180,
                     *         "audit": 730
                     *       },
                     *       "bounds": {
                     *         "meetings": {
                     *           "min": 30,
                     *           "max": 1825,
                     *           "default": 365
                     *         },
                     *         "attendance": {
                     *           "min": 7,
                     *           "max": 365,
                     *           "default": 90
                     *         },
                     *         "lobbyTickets": {
                     *           "min": 1,
                     *           "max": 30,
                     *           "default": 1
                     *         },
                     *         "abuseReports": {
                     *           "min": 30,
                     *           "max": 730,
                     *           "default": 180
                     *         },
                     *         "audit": {
                     *           "min": 365,
                     *           "max": 3650,
                     *           "default": 730
                     *         }
                     *       },
                     *       "etag": "\"v4\""
                     *     }
                     */
                    "application/json": components["schemas"]["RetentionSettings"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    updateRetentionSettings: {
        parameters: {
            query?: never;
            header: {
                /** @description The ETag of the last read, so that a change made meanwhile is not overwritten */
                "If-Match": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "attendance": 30
                 *     }
                 */
                "application/json": components["schemas"]["RetentionChange"];
            };
        };
        responses: {
            /** @description The new periods */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "periods": {
                     *         "meetings": 365,
                     *         "attendance": 30,
                     *         "lobbyTickets": 1,
                     *         "abuseReports": 180,
                     *         "audit": 730
                     *       },
                     *       "bounds": {
                     *         "meetings": {
                     *           "min": 30,
                     *           "max": 1825,
                     *           "default": 365
                     *         },
                     *         "attendance": {
                     *           "min": 7,
                     *           "max": 365,
                     *           "default": 90
                     *         },
                     *         "lobbyTickets": {
                     *           "min": 1,
                     *           "max": 30,
                     *           "default": 1
                     *         },
                     *         "abuseReports": {
                     *           "min": 30,
                     *           "max": 730,
                     *           "default": 180
                     *         },
                     *         "audit": {
                     *           "min": 365,
                     *           "max": 3650,
                     *           "default": 730
                     *         }
                     *       },
                     *       "etag": "\"v5\""
                     *     }
                     */
                    "application/json": components["schemas"]["RetentionSettings"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            428: components["responses"]["PreconditionRequired"];
            503: components["responses"]["Unavailable"];
        };
    };
    getMailSettings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The mail settings */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "configured": true,
                     *       "transport": "smtp",
                     *       "host": "smtp.example-college.eu",
                     *       "port": 465,
                     *       "secure": true,
                     *       "username": "meetplane",
                     *       "from": "meetings@example-college.eu"
                     *     }
                     */
                    "application/json": components["schemas"]["MailSettings"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    setMailSettings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "host": "smtp.example-college.eu",
                 *       "port": 465,
                 *       "secure": true,
                 *       "username": "meetplane",
                 *       "password": "correct-horse-battery-staple",
                 *       "from": "meetings@example-college.eu"
                 *     }
                 */
                "application/json": components["schemas"]["MailSettingsInput"];
            };
        };
        responses: {
            /** @description The mail settings */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "configured": true,
                     *       "transport": "smtp",
                     *       "host": "smtp.example-college.eu",
                     *       "port": 465,
                     *       "secure": true,
                     *       "username": "meetplane",
                     *       "from": "meetings@example-college.eu"
                     *     }
                     */
                    "application/json": components["schemas"]["MailSettings"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    sendTestMail: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "to": "it-desk@example-college.eu"
                 *     }
                 */
                "application/json": {
                    /**
                     * Format: email
                     * @description Where to send the test message
                     */
                    to: string;
                };
            };
        };
        responses: {
            /** @description The server accepted the message */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sent": true,
                     *       "transport": "smtp"
                     *     }
                     */
                    "application/json": components["schemas"]["MailTestResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    getSecurityContacts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The security contacts */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "configured": true,
                     *       "emails": [
                     *         "security@example-college.eu"
                     *       ],
                     *       "webhook": {
                     *         "url": "https://soc.example-college.eu/hooks/advisories",
                     *         "secretSet": true
                     *       },
                     *       "updatedAt": "2026-11-21T08:02:11.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["SecurityContacts"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    setSecurityContacts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "emails": [
                 *         "security@example-college.eu"
                 *       ],
                 *       "webhook": {
                 *         "url": "https://soc.example-college.eu/hooks/advisories",
                 *         "secret": "whsec_8b3f1d6a9c2e7f4b0d5a8c1e3f6b9d2a"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["SecurityContactsInput"];
            };
        };
        responses: {
            /** @description The security contacts */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "configured": true,
                     *       "emails": [
                     *         "security@example-college.eu"
                     *       ],
                     *       "webhook": {
                     *         "url": "https://soc.example-college.eu/hooks/advisories",
                     *         "secretSet": true
                     *       },
                     *       "updatedAt": "2026-11-21T08:02:11.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["SecurityContacts"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    getGuestSettings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The guest setting, with its ETag */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "enabled": false,
                     *       "etag": "\"v4\""
                     *     }
                     */
                    "application/json": components["schemas"]["GuestSettings"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    setGuestSettings: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag of the last read, so that a change made meanwhile is not overwritten */
                "If-Match"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "enabled": true
                 *     }
                 */
                "application/json": {
                    /** @description Whether invitations carry guest links and guests may join */
                    enabled: boolean;
                };
            };
        };
        responses: {
            /** @description The guest setting */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "enabled": true,
                     *       "etag": "\"v5\""
                     *     }
                     */
                    "application/json": components["schemas"]["GuestSettings"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    listSupportGrants: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The grants */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "sg_1d6f3b8e5a2c7f4b9d0e6a3c",
                     *           "ticketId": "SUP-20417",
                     *           "scopes": [
                     *             "settings:read"
                     *           ],
                     *           "expiresAt": "2026-12-01T18:00:00+01:00",
                     *           "allowOutsideEu": false,
                     *           "createdAt": "2026-11-21T08:02:11.000Z",
                     *           "revoked": false
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        items: components["schemas"]["SupportGrant"][];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    createSupportGrant: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the write safe to retry: a retry with the same key and body returns the first result */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "ticketId": "SUP-20417",
                 *       "scopes": [
                 *         "settings:read"
                 *       ],
                 *       "expiresAt": "2026-12-01T18:00:00+01:00",
                 *       "allowOutsideEu": false
                 *     }
                 */
                "application/json": components["schemas"]["SupportGrantInput"];
            };
        };
        responses: {
            /** @description The grant */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "sg_1d6f3b8e5a2c7f4b9d0e6a3c",
                     *       "ticketId": "SUP-20417",
                     *       "scopes": [
                     *         "settings:read"
                     *       ],
                     *       "expiresAt": "2026-12-01T18:00:00+01:00",
                     *       "allowOutsideEu": false,
                     *       "createdAt": "2026-11-21T08:02:11.000Z",
                     *       "revoked": false
                     *     }
                     */
                    "application/json": components["schemas"]["SupportGrant"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            422: components["responses"]["Unprocessable"];
            503: components["responses"]["Unavailable"];
        };
    };
    revokeSupportGrant: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                grantId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    getPreferences: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The preferences */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "productNews": false,
                     *       "marketing": false
                     *     }
                     */
                    "application/json": components["schemas"]["Preferences"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    updatePreferences: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "productNews": true
                 *     }
                 */
                "application/json": {
                    productNews?: boolean;
                    marketing?: boolean;
                };
            };
        };
        responses: {
            /** @description The preferences */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "productNews": true,
                     *       "marketing": false
                     *     }
                     */
                    "application/json": components["schemas"]["Preferences"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    exportDataSubject: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "subject": "user-4711",
                 *       "email": "alex@example.org"
                 *     }
                 */
                "application/json": components["schemas"]["DataSubjectRequest"];
            };
        };
        responses: {
            /** @description The export */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "tenantId": "tn_5f2b9c1d7e3a4b6c8d0e1f2a",
                     *       "site": "fra",
                     *       "generatedAt": "2026-11-21T08:02:11.000Z",
                     *       "pseudonyms": {
                     *         "userRef": "u_3f9a1c7e5b2d4f6a",
                     *         "emailRef": "e_8b2d4f6a1c3e5b7d"
                     *       },
                     *       "meetingsHosted": [
                     *         {
                     *           "id": "mt_8c1e4a7b2d5f9e3c6a0b1d4e",
                     *           "title": "Weekly sync",
                     *           "startsAt": "2026-12-07T09:00:00+01:00"
                     *         }
                     *       ],
                     *       "invitations": [],
                     *       "attendance": [
                     *         {
                     *           "meetingId": "mt_8c1e4a7b2d5f9e3c6a0b1d4e",
                     *           "room": "main",
                     *           "joinedAt": "2026-12-07T08:01:12.000Z"
                     *         }
                     *       ],
                     *       "lobbyTickets": [],
                     *       "passcodeAttempts": [],
                     *       "admissions": [],
                     *       "devices": [],
                     *       "meetingDevices": [],
                     *       "keyEnvelopes": [],
                     *       "removals": [],
                     *       "breakoutAssignments": [],
                     *       "preferences": {
                     *         "productNews": false,
                     *         "marketing": false
                     *       },
                     *       "reportsFiled": [],
                     *       "reportsAbout": [],
                     *       "auditEntries": [],
                     *       "guestLinks": [],
                     *       "recordsOfHostedMeetings": 3,
                     *       "requestRecords": 1
                     *     }
                     */
                    "application/json": components["schemas"]["SubjectExport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    eraseDataSubject: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "subject": "user-4711",
                 *       "email": "alex@example.org"
                 *     }
                 */
                "application/json": components["schemas"]["DataSubjectRequest"];
            };
        };
        responses: {
            /** @description What was erased */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "tenantId": "tn_5f2b9c1d7e3a4b6c8d0e1f2a",
                     *       "startedAt": "2026-11-21T08:02:11.000Z",
                     *       "completedAt": "2026-11-21T08:02:13.000Z",
                     *       "erased": {
                     *         "meetingsHosted": 1,
                     *         "attendance": 1,
                     *         "preferences": 1
                     *       },
                     *       "requestRecordsDeleted": 1,
                     *       "remaining": 0,
                     *       "notes": [
                     *         "Audit entries keep their place in the chain, with the personal fields redacted"
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["ErasureReport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    reportAbuse: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the write safe to retry: a retry with the same key and body returns the first result */
                "Idempotency-Key"?: string;
            };
            path: {
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "reason": "harassment",
                 *       "details": "Repeated insults in the chat after being asked to stop",
                 *       "participantId": "p_R3Vlc3RwYXJ0aWNpcGFudHByZXNlbnRz",
                 *       "clip": {
                 *         "contentType": "audio/webm",
                 *         "data": "GkXfo59ChoEBQveBAULygQRC84EIQoKEd2VibUKHgQRChYEC"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["AbuseReportInput"];
            };
        };
        responses: {
            /** @description The report arrived */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "ar_7e2c9a4f1b6d3e8a5c0f2b4d",
                     *       "status": "open",
                     *       "createdAt": "2026-11-21T08:02:11.000Z"
                     *     }
                     */
                    "application/json": {
                        id: string;
                        /** @constant */
                        status: "open";
                        createdAt: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            422: components["responses"]["Unprocessable"];
            503: components["responses"]["Unavailable"];
        };
    };
    listAbuseReports: {
        parameters: {
            query?: {
                status?: "open" | "resolved";
                cursor?: string;
                limit?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of reports */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "ar_7e2c9a4f1b6d3e8a5c0f2b4d",
                     *           "meetingId": "mt_8c1e4a7b2d5f9e3c6a0b1d4e",
                     *           "reason": "harassment",
                     *           "status": "open",
                     *           "createdAt": "2026-11-21T08:02:11.000Z",
                     *           "participantId": "p_R3Vlc3RwYXJ0aWNpcGFudHByZXNlbnRz",
                     *           "clip": {
                     *             "contentType": "audio/webm",
                     *             "bytes": 48213
                     *           }
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["AbuseReportPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAbuseReport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                reportId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "ar_7e2c9a4f1b6d3e8a5c0f2b4d",
                     *       "meetingId": "mt_8c1e4a7b2d5f9e3c6a0b1d4e",
                     *       "reason": "harassment",
                     *       "status": "open",
                     *       "createdAt": "2026-11-21T08:02:11.000Z",
                     *       "participantId": "p_R3Vlc3RwYXJ0aWNpcGFudHByZXNlbnRz",
                     *       "clip": {
                     *         "contentType": "audio/webm",
                     *         "bytes": 48213
                     *       },
                     *       "details": "Repeated insults in the chat after being asked to stop"
                     *     }
                     */
                    "application/json": components["schemas"]["AbuseReport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAbuseReportClip: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                reportId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The clip */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "contentType": "audio/webm",
                     *       "data": "GkXfo59ChoEBQveBAULygQRC84EIQoKEd2VibUKHgQRChYEC"
                     *     }
                     */
                    "application/json": {
                        /** @enum {string} */
                        contentType: "audio/ogg" | "audio/webm" | "video/webm" | "video/mp4" | "image/png" | "image/jpeg";
                        data: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    resolveAbuseReport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                reportId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "outcome": "removed-from-meeting",
                 *       "note": "Removed by the host; the organiser was informed"
                 *     }
                 */
                "application/json": {
                    /** @enum {string} */
                    outcome: "no-action" | "warned" | "removed-from-meeting" | "account-action";
                    note?: string;
                };
            };
        };
        responses: {
            /** @description The resolved report */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "ar_7e2c9a4f1b6d3e8a5c0f2b4d",
                     *       "meetingId": "mt_8c1e4a7b2d5f9e3c6a0b1d4e",
                     *       "reason": "harassment",
                     *       "status": "resolved",
                     *       "createdAt": "2026-11-21T08:02:11.000Z",
                     *       "participantId": "p_R3Vlc3RwYXJ0aWNpcGFudHByZXNlbnRz",
                     *       "clip": {
                     *         "contentType": "audio/webm",
                     *         "bytes": 48213
                     *       },
                     *       "outcome": "removed-from-meeting",
                     *       "resolvedAt": "2026-11-22T09:30:00.000Z",
                     *       "resolutionNote": "Removed by the host; the organiser was informed"
                     *     }
                     */
                    "application/json": components["schemas"]["AbuseReport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    supportGetTenantSettings: {
        parameters: {
            query: {
                ticket: string;
                location: "eu" | "outside-eu";
            };
            header?: never;
            path: {
                tenantId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The settings (nothing personal) */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "tenantId": "tn_5f2b9c1d7e3a4b6c8d0e1f2a",
                     *       "status": "active",
                     *       "tier": "education",
                     *       "homeSite": "fra",
                     *       "allowedSites": [
                     *         "fra",
                     *         "ams"
                     *       ],
                     *       "displayNames": true,
                     *       "retention": {
                     *         "meetings": 365,
                     *         "attendance": 90,
                     *         "lobbyTickets": 1,
                     *         "abuseReports": 180,
                     *         "audit": 730
                     *       }
                     *     }
                     */
                    "application/json": {
                        tenantId: string;
                        status: string;
                        tier: string;
                        homeSite: string;
                        allowedSites: string[];
                        displayNames: boolean;
                        retention: {
                            [key: string]: number;
                        };
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    supportGetMeeting: {
        parameters: {
            query: {
                ticket: string;
                location: "eu" | "outside-eu";
            };
            header?: never;
            path: {
                tenantId: string;
                meetingId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Metadata without title, description or invitees */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "mt_8c1e4a7b2d5f9e3c6a0b1d4e",
                     *       "startsAt": "2026-12-07T09:00:00+01:00",
                     *       "durationMinutes": 30,
                     *       "timeZone": "Europe/Berlin",
                     *       "recurring": true,
                     *       "encryption": "standard",
                     *       "waitingRoom": true,
                     *       "status": "scheduled",
                     *       "invitees": 2
                     *     }
                     */
                    "application/json": {
                        id: string;
                        startsAt: string;
                        durationMinutes: number;
                        timeZone: string;
                        recurring: boolean;
                        encryption: string;
                        waitingRoom: boolean;
                        status: string;
                        /** @description how many, never who */
                        invitees: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    listAuditEntries: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: string;
                /** @description Only entries by this kind of actor */
                actor?: "operator" | "user" | "system";
                /** @description Only this action, or every action of this group (`support` matches `support.grant`, `support.read`, …) */
                action?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of audit entries */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "tenantId": "tn_5f2b9c1d7e3a4b6c8d0e1f2a",
                     *           "seq": 127,
                     *           "at": "2026-11-21T08:02:11.000Z",
                     *           "actor": {
                     *             "type": "user",
                     *             "id": "u_3f9a1c7e5b2d4f6a"
                     *           },
                     *           "action": "settings.guests",
                     *           "target": "tenant/tn_5f2b9c1d7e3a4b6c8d0e1f2a",
                     *           "reason": "guests turned on",
                     *           "details": {
                     *             "enabled": true
                     *           },
                     *           "prevHash": "5d41402abc4b2a76b9719d911017c592ae2a1f4e8c6b3d7f0a9e2c5b8d1f4a7e",
                     *           "personalDigest": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
                     *           "hash": "b1946ac92492d2347c6235b4d2611184c3a6f1b7e0d8a5c2f9e4b7a1d3c6e8f0"
                     *         }
                     *       ],
                     *       "nextCursor": "127"
                     *     }
                     */
                    "application/json": components["schemas"]["AuditPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    verifyAuditLog: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Whether the log is intact, every break found, the newest signed head and how many entries follow it */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "intact": true,
                     *       "entries": 128,
                     *       "breaks": [],
                     *       "signedHead": {
                     *         "site": "fra",
                     *         "tenantId": "tn_5f2b9c1d7e3a4b6c8d0e1f2a",
                     *         "seq": 128,
                     *         "hash": "b1946ac92492d2347c6235b4d2611184c3a6f1b7e0d8a5c2f9e4b7a1d3c6e8f0",
                     *         "at": "2026-11-21T08:02:11.000Z",
                     *         "signedAt": "2026-11-21T08:15:00.000Z",
                     *         "keyId": "arn:aws:kms:eu-central-1:123456789012:key/7a1c3e5b-9d2f-4a6c-8e0b-1d3f5a7c9e2b",
                     *         "algorithm": "ECDSA_SHA_256",
                     *         "signature": "MEUCIQDx3b7n6Qm1p9Yw2T4s8Kf0dLr5hJv7cXa1Ee3gUo2BzQIgV9m4Wk6Ys1Tq8Hn3Lc5Rb7Pf2Dx0Ja4Mu6Gi8Oe1Nz="
                     *       },
                     *       "headsChecked": 9,
                     *       "notYetSigned": 0
                     *     }
                     */
                    "application/json": components["schemas"]["AuditVerdict"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    signAuditHead: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The signed head */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "site": "fra",
                     *       "tenantId": "tn_5f2b9c1d7e3a4b6c8d0e1f2a",
                     *       "seq": 128,
                     *       "hash": "b1946ac92492d2347c6235b4d2611184c3a6f1b7e0d8a5c2f9e4b7a1d3c6e8f0",
                     *       "at": "2026-11-21T08:02:11.000Z",
                     *       "signedAt": "2026-11-21T08:15:00.000Z",
                     *       "keyId": "arn:aws:kms:eu-central-1:123456789012:key/7a1c3e5b-9d2f-4a6c-8e0b-1d3f5a7c9e2b",
                     *       "algorithm": "ECDSA_SHA_256",
                     *       "signature": "MEUCIQDx3b7n6Qm1p9Yw2T4s8Kf0dLr5hJv7cXa1Ee3gUo2BzQIgV9m4Wk6Ys1Tq8Hn3Lc5Rb7Pf2Dx0Ja4Mu6Gi8Oe1Nz="
                     *     }
                     */
                    "application/json": components["schemas"]["SignedAuditHead"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAuditSigningKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The key id, algorithm and public key (PEM) */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "keyId": "arn:aws:kms:eu-central-1:123456789012:key/7a1c3e5b-9d2f-4a6c-8e0b-1d3f5a7c9e2b",
                     *       "algorithm": "ECDSA_SHA_256",
                     *       "publicKeyPem": "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2adMrdG7aUfZH57aeKFFM01dPnkx\nC18ScRb4Z6poMBgJtYlVtd9ly63URv57ZW0Ncs1LiZB7WATb3svu+1c7HQ==\n-----END PUBLIC KEY-----\n"
                     *     }
                     */
                    "application/json": components["schemas"]["AuditSigningKey"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    listAdvisories: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of advisories */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "adv_2026-11-30_3f9a1c",
                     *           "site": "fra",
                     *           "publishedAt": "2026-11-30T14:00:00.000Z",
                     *           "title": "Join tokens accepted for a minute after removal",
                     *           "severity": "medium",
                     *           "summary": "A participant removed from a meeting could rejoin with a token issued before the removal; fixed on both sites.",
                     *           "cve": [
                     *             "CVE-2026-41234"
                     *           ]
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["AdvisoryPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
    publishAdvisory: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the write safe to retry: a retry with the same key and body returns the first result */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "title": "Join tokens accepted for a minute after removal",
                 *       "severity": "medium",
                 *       "summary": "A participant removed from a meeting could rejoin with a token issued before the removal; fixed on both sites.",
                 *       "cve": [
                 *         "CVE-2026-41234"
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["AdvisoryInput"];
            };
        };
        responses: {
            /** @description The advisory and what was delivered to each tenant */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "advisory": {
                     *         "id": "adv_2026-11-30_3f9a1c",
                     *         "site": "fra",
                     *         "publishedAt": "2026-11-30T14:00:00.000Z",
                     *         "title": "Join tokens accepted for a minute after removal",
                     *         "severity": "medium",
                     *         "summary": "A participant removed from a meeting could rejoin with a token issued before the removal; fixed on both sites.",
                     *         "cve": [
                     *           "CVE-2026-41234"
                     *         ]
                     *       },
                     *       "totals": {
                     *         "tenants": 2,
                     *         "emailSent": 1,
                     *         "emailSkipped": 1,
                     *         "emailFailed": 0,
                     *         "webhookDelivered": 1,
                     *         "webhookFailed": 0
                     *       },
                     *       "deliveries": [
                     *         {
                     *           "tenantId": "tn_5f2b9c1d7e3a4b6c8d0e1f2a",
                     *           "contacts": "settings",
                     *           "email": {
                     *             "status": "sent",
                     *             "recipients": 1
                     *           },
                     *           "webhook": {
                     *             "status": "delivered",
                     *             "httpStatus": 204
                     *           }
                     *         },
                     *         {
                     *           "tenantId": "tn_0a2c4e6b8d1f3a5c7e9b2d4f",
                     *           "contacts": "onboarding",
                     *           "email": {
                     *             "status": "skipped",
                     *             "reason": "no-mail-server"
                     *           },
                     *           "webhook": {
                     *             "status": "not-configured"
                     *           }
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["AdvisoryPublication"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            422: components["responses"]["Unprocessable"];
            503: components["responses"]["Unavailable"];
        };
    };
    redeemGuestLink: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "code": "tn_5f2b9c1d7e3a4b6c8d0e1f2a.mt_8c1e4a7b2d5f9e3c6a0b1d4e.d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3c",
                 *       "displayName": "Robin"
                 *     }
                 */
                "application/json": components["schemas"]["GuestLinkRedemption"];
            };
        };
        responses: {
            /** @description A guest token for the meeting */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "token": "eyJhbGciOiJIUzI1NiIsInR5cCI6Im1lZXRwbGFuZS1ndWVzdCtqd3QifQ.eyJtdGciOiJtdF8ifQ.c2lnbmF0dXJl",
                     *       "expiresAt": "2026-12-07T10:00:00.000Z",
                     *       "tenantId": "tn_5f2b9c1d7e3a4b6c8d0e1f2a",
                     *       "meetingId": "mt_8c1e4a7b2d5f9e3c6a0b1d4e",
                     *       "participantId": "p_R3Vlc3RwYXJ0aWNpcGFudHByZXNlbnRz",
                     *       "join": "/v1/meetings/mt_8c1e4a7b2d5f9e3c6a0b1d4e/join"
                     *     }
                     */
                    "application/json": components["schemas"]["GuestSession"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["Misdirected"];
            503: components["responses"]["Unavailable"];
        };
    };
}
