import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TestScheduler, type RunHelpers } from 'rxjs/testing';
import type { KubeEvent } from '../../src/streams/kube-event.js';
import { mergeNamespaces } from '../../src/streams/merge-namespaces.js';

function marbles(body: (helpers: RunHelpers) => void): void {
  new TestScheduler((actual, expected) => assert.deepEqual(actual, expected)).run(body);
}

const pod = (namespace: string, name: string, resourceVersion: string, uid = `uid-${name}`): unknown => ({
  metadata: { namespace, name, uid, resourceVersion },
});
const sync = (...items: unknown[]): KubeEvent => ({ type: 'SYNC', resourceVersion: '9', items });
const change = (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: unknown): KubeEvent => ({ type, object });
const gone = (namespace: string, name: string): KubeEvent =>
  change('DELETED', { kind: 'Pod', apiVersion: 'v1', metadata: { namespace, name, uid: `uid-${name}` } });

describe('mergeNamespaces', () => {
  it('passes a single source through untouched, SYNC included', () => {
    marbles(({ cold, expectObservable }) => {
      const values = { s: sync(pod('a', 'p', '1')), x: change('ADDED', pod('a', 'q', '2')) };
      expectObservable(mergeNamespaces([{ namespace: 'a', events$: cold('-s-x-s|', values) }])).toBe('-s-x-s|', values);
    });
  });

  it('emits one SYNC, the union, once every namespace has listed, folding in what arrived meanwhile', () => {
    marbles(({ cold, expectObservable }) => {
      const a = cold<KubeEvent>('s-x-y', {
        s: sync(pod('a', 'p', '1'), pod('a', 'q', '1')),
        x: change('ADDED', pod('a', 'r', '2')),
        y: change('DELETED', pod('a', 'q', '3')),
      });
      const b = cold<KubeEvent>('-----s-z', { s: sync(pod('b', 'p', '1')), z: change('MODIFIED', pod('b', 'p', '4')) });
      const expected = {
        S: sync(pod('a', 'p', '1'), pod('a', 'r', '2'), pod('b', 'p', '1')),
        z: change('MODIFIED', pod('b', 'p', '4')),
      };
      expectObservable(
        mergeNamespaces([
          { namespace: 'a', events$: a },
          { namespace: 'b', events$: b },
        ]),
      ).toBe('-----S-z', expected);
    });
  });

  it('turns a later relist of one namespace into changes, leaving the others alone', () => {
    marbles(({ cold, expectObservable }) => {
      const a = cold<KubeEvent>('s---r', {
        s: sync(pod('a', 'same', '1'), pod('a', 'moved', '1'), pod('a', 'lost', '1'), pod('a', 'reborn', '1')),
        r: sync(
          pod('a', 'same', '1'),
          pod('a', 'moved', '5'),
          pod('a', 'new', '5'),
          pod('a', 'reborn', '5', 'uid-other'),
        ),
      });
      const b = cold<KubeEvent>('-s', { s: sync(pod('b', 'p', '1')) });
      const expected = {
        S: sync(
          pod('a', 'same', '1'),
          pod('a', 'moved', '1'),
          pod('a', 'lost', '1'),
          pod('a', 'reborn', '1'),
          pod('b', 'p', '1'),
        ),
        m: change('MODIFIED', pod('a', 'moved', '5')),
        n: change('ADDED', pod('a', 'new', '5')),
        o: change('MODIFIED', pod('a', 'reborn', '5', 'uid-other')),
        d: gone('a', 'lost'),
      };
      expectObservable(
        mergeNamespaces([
          { namespace: 'a', events$: a },
          { namespace: 'b', events$: b },
        ]),
      ).toBe('-S--(mnod)', expected);
    });
  });

  it('tracks watch events, so a relist after them only reports what really changed', () => {
    marbles(({ cold, expectObservable }) => {
      const a = cold<KubeEvent>('s-xy-r', {
        s: sync(pod('a', 'p', '1')),
        x: change('ADDED', pod('a', 'q', '2')),
        y: change('DELETED', pod('a', 'p', '3')),
        r: sync(pod('a', 'q', '2')),
      });
      const b = cold<KubeEvent>('-s', { s: sync() });
      const values = {
        S: sync(pod('a', 'p', '1')),
        x: change('ADDED', pod('a', 'q', '2')),
        y: change('DELETED', pod('a', 'p', '3')),
      };
      expectObservable(
        mergeNamespaces([
          { namespace: 'a', events$: a },
          { namespace: 'b', events$: b },
        ]),
      ).toBe('-Sxy--', values);
    });
  });
});
