/**
 * Kubernetes Events for the objects the controller syncs, each emitted once per object generation
 * and reason: a periodic re-sync of an object that stays invalid does not flood `kubectl get
 * events`. (After a restart the last one may be emitted once more; Events are hints, not records.)
 */
import type { Hub, OamObject } from './hub.js';

export class EventRecorder {
  private readonly emitted = new Map<string, string>();

  constructor(
    private readonly hub: Hub,
    private readonly log: (message: string) => void,
  ) {}

  async record(
    object: OamObject,
    type: 'Warning' | 'Normal',
    reason: string,
    message: string,
  ): Promise<void> {
    const key = `${object.kind}/${object.metadata.namespace}/${object.metadata.name}`;
    const fingerprint = `${object.metadata.uid ?? ''}/${object.metadata.generation ?? ''}/${reason}/${message}`;
    if (this.emitted.get(key) === fingerprint) return;
    try {
      await this.hub.event(object, type, reason, message);
      this.emitted.set(key, fingerprint);
    } catch (err) {
      // An Event that cannot be written must not stop the sync: the condition says the same.
      this.log(`event on ${key} not written: ${(err as Error).message}`);
    }
  }
}
