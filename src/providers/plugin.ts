/** The built-in model APIs, registered through the plugin API like a plugin's providers. */
import type { BuiltinPlugin } from "../plugins/builtin.js";
import { BUILTIN_MODEL_APIS } from "./index.js";

export const coreProvidersPlugin: BuiltinPlugin = {
  id: "core-models",
  name: "Built-in model APIs",
  register(api) {
    for (const provider of BUILTIN_MODEL_APIS) api.registerProvider({ ...provider });
  },
};
