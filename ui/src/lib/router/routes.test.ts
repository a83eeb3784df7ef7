import { describe, expect, it } from 'vitest';
import { connectionPath, matchRoute, sectionOf } from './routes';

describe('routes', () => {
  it('open the overview at the root, with or without index.html or a query', () => {
    expect(matchRoute('/')).toEqual({ name: 'overview', view: 'connections' });
    expect(matchRoute('/index.html')).toEqual({ name: 'overview', view: 'connections' });
    expect(matchRoute('/?token=abc')).toEqual({ name: 'overview', view: 'connections' });
    expect(matchRoute('/customers/')).toEqual({ name: 'overview', view: 'customers' });
  });
  it('read a connection id, decoding what connectionPath encoded', () => {
    expect(matchRoute('/connections/con_123')).toEqual({ name: 'connection', id: 'con_123' });
    const odd = 'con/1 ü';
    expect(matchRoute(connectionPath(odd))).toEqual({ name: 'connection', id: odd });
    expect(matchRoute('/connections/%E0%A4%A')).toMatchObject({ name: 'not_found' });
  });
  it('know every screen and nothing else', () => {
    expect(matchRoute('/credits')).toEqual({ name: 'screen', screen: 'credits' });
    expect(matchRoute('/webhooks/')).toEqual({ name: 'screen', screen: 'webhooks' });
    expect(matchRoute('/connections')).toMatchObject({ name: 'not_found' });
    expect(matchRoute('/nope')).toEqual({ name: 'not_found', path: '/nope' });
  });
  it('put the connection page under Overview in the navigation', () => {
    expect(sectionOf({ name: 'connection', id: 'x' })).toBe('overview');
    expect(sectionOf({ name: 'screen', screen: 'alerts' })).toBe('alerts');
    expect(sectionOf({ name: 'not_found', path: '/x' })).toBeNull();
  });
});
