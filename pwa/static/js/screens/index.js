// The screens that live in modules of their own: their routes and which roles see them on the home screen.
import { aftersalesRoutes } from "./aftersales.js";
import { connectionRoutes } from "./connections.js";
import { orderRoutes } from "./orders.js";
import { phoneOrderRoutes } from "./phone_orders.js";
import { routePlanRoutes } from "./routes.js";
import { stockRoutes } from "./stock.js";
import { stuckRoutes } from "./stuck.js";
import { transferRoutes } from "./transfers.js";
import { waitingRoutes } from "./waiting.js";

export { drawHome } from "./home.js";
export { provide } from "./kit.js";

export const screenRoutes = [...transferRoutes, ...aftersalesRoutes, ...phoneOrderRoutes, ...routePlanRoutes,
  ...connectionRoutes, ...orderRoutes, ...stockRoutes, ...waitingRoutes, ...stuckRoutes];

export const screenModes = {
  picker: ["orders"],
  packer: ["orders"],
  // stuck: the roles that may pick a carrier for a shipment (PLAN_DELIVERIES in core.base.auth)
  dispatcher: ["orders", "transfers", "routes", "stuck"],
  // connections: the roles that may manage channels and webhooks (core.base.auth)
  manager: ["orders", "phone", "aftersales", "transfers", "routes", "connections", "stuck"],
  admin: ["orders", "phone", "aftersales", "transfers", "routes", "connections", "stuck"],
};
