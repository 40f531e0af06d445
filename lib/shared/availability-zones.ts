/**
 * Availability Zones every VPC spans (lib/shared/network.ts). A module of its
 * own, so that the architectures' settings read it without loading the
 * network construct (see defineArchitecture).
 */
export const AVAILABILITY_ZONES = 2;
