// Express 4, installed under an alias to run the same tests as Express 5; typed
// with Express 5's types, close enough for what the tests call.
declare module "express4" {
  import express from "express";
  export default express;
}
