// The screens that live in modules of their own: their routes and which roles see them on the home screen.
import { aftersalesRoutes } from "./aftersales.js";
import { phoneOrderRoutes } from "./phone_orders.js";
import { routePlanRoutes } from "./routes.js";
import { transferRoutes } from "./transfers.js";

export { provide } from "./kit.js";

export const screenRoutes = [...transferRoutes, ...aftersalesRoutes, ...phoneOrderRoutes, ...routePlanRoutes];

export const screenModes = {
  dispatcher: ["transfers", "routes"],
  manager: ["phone", "aftersales", "transfers", "routes"],
  admin: ["phone", "aftersales", "transfers", "routes"],
};
