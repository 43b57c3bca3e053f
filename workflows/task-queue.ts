/** The task queue every Revela worker polls unless `REVELA_TASK_QUEUE` says otherwise. */
export const DEFAULT_TASK_QUEUE = 'revela';
