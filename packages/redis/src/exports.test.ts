import { expect, it } from "vitest";
import * as api from "./index.js";

// Guards the public surface: what users import from this one package.
it("exports the replay store, the rate limiter, the store's error and scripts", () => {
  expect(Object.keys(api).sort()).toMatchSnapshot();
});
