// The screens that live in modules of their own: their routes and which roles see them on the home screen.
import { aftersalesRoutes } from "./aftersales.js";
import { connectionRoutes } from "./connections.js";
import { orderRoutes } from "./orders.js";
import { phoneOrderRoutes } from "./phone_orders.js";
import { routePlanRoutes } from "./routes.js";
import { stockRoutes } from "./stock.js";
import { transferRoutes } from "./transfers.js";
import { waitingRoutes } from "./waiting.js";

export { drawHome } from "./home.js";
export { provide } from "./kit.js";

export const screenRoutes = [...transferRoutes, ...aftersalesRoutes, ...phoneOrderRoutes, ...routePlanRoutes,
  ...connectionRoutes, ...orderRoutes, ...stockRoutes, ...waitingRoutes];

export const screenModes = {
  picker: ["orders"],
  packer: ["orders"],
  dispatcher: ["orders", "transfers", "routes"],
  // connections: the roles that may manage channels and webhooks (core.base.auth)
  manager: ["orders", "phone", "aftersales", "transfers", "routes", "connections"],
  admin: ["orders", "phone", "aftersales", "transfers", "routes", "connections"],
};
