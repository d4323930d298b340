// Original file: proto/baton/v1/task.proto

import type { Long } from '@grpc/proto-loader';

/**
 * What a task needs from the agent that runs it (placement; see the README). Zero values mean
 * "not required".
 */
export interface Requirements {
  /**
   * Labels the agent must carry with these values.
   */
  'labels'?: ({[key: string]: string});
  /**
   * CPU slots.
   */
  'cpuSlots'?: (number);
  /**
   * GPU model, e.g. "a100"; empty for any.
   */
  'gpuType'?: (string);
  /**
   * Number of GPUs, all of one type; 1 when unset but gpu_type or gpu_memory_mib is given.
   */
  'gpuCount'?: (number);
  /**
   * Memory of each GPU in MiB.
   */
  'gpuMemoryMib'?: (number | string | Long);
  /**
   * Models the agent must be able to serve.
   */
  'models'?: (string)[];
}

/**
 * What a task needs from the agent that runs it (placement; see the README). Zero values mean
 * "not required".
 */
export interface Requirements__Output {
  /**
   * Labels the agent must carry with these values.
   */
  'labels': ({[key: string]: string});
  /**
   * CPU slots.
   */
  'cpuSlots': (number);
  /**
   * GPU model, e.g. "a100"; empty for any.
   */
  'gpuType': (string);
  /**
   * Number of GPUs, all of one type; 1 when unset but gpu_type or gpu_memory_mib is given.
   */
  'gpuCount': (number);
  /**
   * Memory of each GPU in MiB.
   */
  'gpuMemoryMib': (number);
  /**
   * Models the agent must be able to serve.
   */
  'models': (string)[];
}
