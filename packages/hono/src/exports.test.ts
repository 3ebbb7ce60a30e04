import { expect, it } from "vitest";
import * as api from "./index.js";

// Guards the public surface: what users import from this one package.
it("exports the adapter and what an app needs from the core", () => {
  expect(Object.keys(api).sort()).toMatchSnapshot();
});
