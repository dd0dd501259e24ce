/**
 * The room's extensions, imported once before a meeting opens. Each module
 * registers what it adds: side panels with `registerRoomPanel`
 * (room-context.tsx), the end-to-end engine with `provideE2eeEngine`
 * (e2ee-seam.ts). Breakouts (./breakouts), the end-to-end engine (./e2ee) and
 * abuse reports (./report) are added here by importing their modules.
 */
import './e2ee/register';
import './breakouts/register';
import './report/register';
