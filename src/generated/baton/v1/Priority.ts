// Original file: proto/baton/v1/task.proto

/**
 * Priority band. Agents drain higher bands first.
 */
export const Priority = {
  /**
   * Treated as PRIORITY_NORMAL.
   */
  PRIORITY_UNSPECIFIED: 'PRIORITY_UNSPECIFIED',
  /**
   * Runs before normal and low tasks of the same capability.
   */
  PRIORITY_HIGH: 'PRIORITY_HIGH',
  /**
   * The default band.
   */
  PRIORITY_NORMAL: 'PRIORITY_NORMAL',
  /**
   * Runs when no high or normal task of the capability is waiting.
   */
  PRIORITY_LOW: 'PRIORITY_LOW',
} as const;

/**
 * Priority band. Agents drain higher bands first.
 */
export type Priority =
  /**
   * Treated as PRIORITY_NORMAL.
   */
  | 'PRIORITY_UNSPECIFIED'
  | 0
  /**
   * Runs before normal and low tasks of the same capability.
   */
  | 'PRIORITY_HIGH'
  | 1
  /**
   * The default band.
   */
  | 'PRIORITY_NORMAL'
  | 2
  /**
   * Runs when no high or normal task of the capability is waiting.
   */
  | 'PRIORITY_LOW'
  | 3

/**
 * Priority band. Agents drain higher bands first.
 */
export type Priority__Output = typeof Priority[keyof typeof Priority]
