// Breakout rooms in the meeting room: the host's planner, and the follower
// that takes participants to their breakout and back.
export {
  BreakoutFollower,
  type EnterRoom,
  type FollowerState,
  type MediaGrant,
  type MyBreakout,
  type RoomTarget,
} from './follower';
export { BreakoutPlanner, type Person, type Plan } from './planner';
export { MeetingRooms, type ConnectedRoom, type MeetingRoomsOptions } from './rooms';
export { BreakoutStatus, useFollower } from './status';
