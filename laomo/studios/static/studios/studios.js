// The “查找劳模” helper of the studio forms: a click on a candidate (data-pick-target, handled in
// laomo/app.js) puts its 劳模编号 into the field.

// Enter in the helper's search box looks workers up; it must not submit the surrounding form.
document.addEventListener("keydown", function (evt) {
  if (evt.key === "Enter" && evt.target.closest(".lm-picker")) evt.preventDefault();
});
