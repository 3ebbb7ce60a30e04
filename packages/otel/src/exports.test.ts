import { expect, it } from "vitest";
import * as api from "./index.js";

// Guards the public surface: what users import from this one package.
it("exports the telemetry factory, the trace-context helper and the names", () => {
  expect(Object.keys(api).sort()).toMatchSnapshot();
});
