// Original file: proto/baton/v1/cluster_service.proto

import type { GpuGroup as _baton_v1_GpuGroup, GpuGroup__Output as _baton_v1_GpuGroup__Output } from '../../baton/v1/GpuGroup.js';

/**
 * Resources an agent offers to the tasks it runs.
 */
export interface Resources {
  /**
   * CPU slots; 0 when the agent states none.
   */
  'cpuSlots'?: (number);
  /**
   * GPU groups: identical devices, one group per model.
   */
  'gpus'?: (_baton_v1_GpuGroup)[];
  /**
   * Models it can serve.
   */
  'models'?: (string)[];
  /**
   * Labels it carries (e.g. zone, tenant).
   */
  'labels'?: ({[key: string]: string});
}

/**
 * Resources an agent offers to the tasks it runs.
 */
export interface Resources__Output {
  /**
   * CPU slots; 0 when the agent states none.
   */
  'cpuSlots': (number);
  /**
   * GPU groups: identical devices, one group per model.
   */
  'gpus': (_baton_v1_GpuGroup__Output)[];
  /**
   * Models it can serve.
   */
  'models': (string)[];
  /**
   * Labels it carries (e.g. zone, tenant).
   */
  'labels': ({[key: string]: string});
}
