/** Entry point: the stylesheet and the app element. */
import "./styles.css";
import "./app.js";
