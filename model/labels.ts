/**
 * Label and annotation keys shared with KubeVela. Every object Revela applies carries the four
 * `app.oam.dev/*` labels so that inventories, garbage collection and `kubectl get -l` agree.
 */
export const LABEL_APP_NAME = 'app.oam.dev/name';
export const LABEL_APP_NAMESPACE = 'app.oam.dev/namespace';
export const LABEL_COMPONENT = 'app.oam.dev/component';
export const LABEL_REVISION = 'app.oam.dev/revision';

/** The annotation that names the version a publish is made under. */
export const ANNOTATION_PUBLISH_VERSION = 'app.oam.dev/publishVersion';

/** Revela records the last apply time on each object so `status --tree` works on any cluster. */
export const ANNOTATION_APPLIED_AT = 'revela.dev/applied-at';

/** Server-side apply field manager for every write Revela makes. */
export const FIELD_MANAGER = 'revela';
