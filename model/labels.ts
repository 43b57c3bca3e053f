/**
 * Label and annotation keys shared with KubeVela. Every object Revela applies carries the four
 * `app.oam.dev/*` labels so that inventories, garbage collection and `kubectl get -l` agree.
 */
export const LABEL_APP_NAME = 'app.oam.dev/name';
export const LABEL_APP_NAMESPACE = 'app.oam.dev/namespace';
export const LABEL_COMPONENT = 'app.oam.dev/component';
export const LABEL_REVISION = 'app.oam.dev/revision';

// KubeVela's own labels, so tools written for KubeVela (`kubectl get -l`, dashboards) find
// Revela's objects the same way. They are metadata only: never on a pod template, where a change
// would restart pods of revisions recorded before the label existed.
/** The revision name, as KubeVela spells it (the same value as `app.oam.dev/revision`). */
export const LABEL_APP_REVISION = 'app.oam.dev/appRevision';
/** On a component's workload: the component type (`webservice`). */
export const LABEL_WORKLOAD_TYPE = 'workload.oam.dev/type';
/** `WORKLOAD` on a component's workload, `TRAIT` on every other object it renders. */
export const LABEL_RESOURCE_TYPE = 'app.oam.dev/resourceType';
/** On an output: the trait that rendered it, or `AuxiliaryWorkload` for a component's own outputs. */
export const LABEL_TRAIT_TYPE = 'trait.oam.dev/type';
/** On an output: its name in `outputs` (`webserviceExpose`). */
export const LABEL_TRAIT_RESOURCE = 'trait.oam.dev/resource';

/** On objects of a component a `replication` policy copied: the copy's key. */
export const LABEL_REPLICA_KEY = 'app.oam.dev/replicaKey';

/** The annotation that names the version a publish is made under. */
export const ANNOTATION_PUBLISH_VERSION = 'app.oam.dev/publishVersion';

/** Revela records the last apply time on each object so `status --tree` works on any cluster. */
export const ANNOTATION_APPLIED_AT = 'revela.dev/applied-at';

/** Server-side apply field manager for every write Revela makes. */
export const FIELD_MANAGER = 'revela';
