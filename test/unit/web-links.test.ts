import { guestPageUrl, meetingPageUrl, webBaseOf } from '../../lambdas/domain/web-links.js';

const SITE_WEB_URL = 'http://127.0.0.1:4000';

describe('links into the web app', () => {
  it("point at the tenant's own web app, else the site's", () => {
    expect(webBaseOf({ slug: 'acme' }, SITE_WEB_URL)).toBe(SITE_WEB_URL);
    expect(webBaseOf({ slug: 'acme', webUrl: 'https://meet.acme.example/app/' }, SITE_WEB_URL)).toBe(
      'https://meet.acme.example/app',
    );
  });

  it("name a meeting's page by the tenant's slug and the meeting id", () => {
    expect(meetingPageUrl({ slug: 'acme' }, SITE_WEB_URL, 'mt_0123456789abcdef01234567')).toBe(
      'http://127.0.0.1:4000/acme/m/mt_0123456789abcdef01234567',
    );
    expect(meetingPageUrl({ slug: 'acme', webUrl: 'https://meet.acme.example' }, SITE_WEB_URL, 'mt_1')).toBe(
      'https://meet.acme.example/acme/m/mt_1',
    );
  });

  it("keep a guest's code in the fragment, which browsers never send", () => {
    const code = 'tn_0123456789abcdef01234567.mt_0123456789abcdef01234567.c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA';
    const link = new URL(guestPageUrl({ slug: 'acme' }, SITE_WEB_URL, code));
    expect(link.pathname).toBe('/acme/guest');
    expect(link.search).toBe('');
    expect(link.hash).toBe(`#${code}`);
  });
});
