// The screens that live in modules of their own: their routes and which roles see them on the home screen.
import { aftersalesRoutes } from "./aftersales.js";
import { connectionRoutes } from "./connections.js";
import { phoneOrderRoutes } from "./phone_orders.js";
import { routePlanRoutes } from "./routes.js";
import { transferRoutes } from "./transfers.js";

export { provide } from "./kit.js";

export const screenRoutes = [...transferRoutes, ...aftersalesRoutes, ...phoneOrderRoutes, ...routePlanRoutes,
  ...connectionRoutes];

export const screenModes = {
  dispatcher: ["transfers", "routes"],
  // connections: the roles that may manage channels and webhooks (core.base.auth)
  manager: ["phone", "aftersales", "transfers", "routes", "connections"],
  admin: ["phone", "aftersales", "transfers", "routes", "connections"],
};
