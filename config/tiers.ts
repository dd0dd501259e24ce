export const PLAN_TIERS = ['free', 'education', 'business', 'enterprise'] as const;
export type PlanTier = (typeof PLAN_TIERS)[number];

export interface TierFeatures {
  /** End-to-end encryption is offered to every tier but `free`. */
  readonly e2ee: boolean;
  readonly maxParticipants: number;
  readonly maxMeetingMinutes: number;
  readonly maxBreakoutRooms: number;
}

export const TIER_FEATURES: Readonly<Record<PlanTier, TierFeatures>> = {
  free: { e2ee: false, maxParticipants: 10, maxMeetingMinutes: 60, maxBreakoutRooms: 0 },
  education: { e2ee: true, maxParticipants: 300, maxMeetingMinutes: 24 * 60, maxBreakoutRooms: 50 },
  business: { e2ee: true, maxParticipants: 300, maxMeetingMinutes: 24 * 60, maxBreakoutRooms: 50 },
  enterprise: { e2ee: true, maxParticipants: 1000, maxMeetingMinutes: 24 * 60, maxBreakoutRooms: 100 },
};
