// Original file: proto/baton/v1/cluster_service.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A group of identical GPUs.
 */
export interface GpuGroup {
  /**
   * GPU model, e.g. "a100".
   */
  'type'?: (string);
  /**
   * Number of devices.
   */
  'count'?: (number);
  /**
   * Memory per device in MiB.
   */
  'memoryMib'?: (number | string | Long);
}

/**
 * A group of identical GPUs.
 */
export interface GpuGroup__Output {
  /**
   * GPU model, e.g. "a100".
   */
  'type': (string);
  /**
   * Number of devices.
   */
  'count': (number);
  /**
   * Memory per device in MiB.
   */
  'memoryMib': (number);
}
